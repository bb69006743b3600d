"""The stakeholder register's admin pages beside its viewset: the grid, its print
version, and marking an alert reviewed (under ``/admin/engagement/``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("grid/", views.stakeholder_grid, name="engagement_stakeholder_grid"),
    path("grid/print/", views.stakeholder_grid_print, name="engagement_stakeholder_grid_print"),
    path(
        "stakeholder-picker/",
        views.stakeholder_picker_search,
        name="engagement_stakeholder_picker_search",
    ),
    path(
        "alerts/<int:alert_id>/reviewed/",
        views.stakeholder_alert_acknowledge,
        name="engagement_stakeholder_alert_acknowledge",
    ),
]
