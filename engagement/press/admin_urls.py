"""The press office's admin pages beside Wagtail's (under ``/admin/engagement/press/``)."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "decided/<int:task_state_id>/",
        views.press_release_decided,
        name="engagement_press_release_decided",
    ),
]
