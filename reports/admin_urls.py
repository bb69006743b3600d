from django.urls import path

from . import admin_views

urlpatterns = [
    path("dashboard/", admin_views.dashboard, name="dashboard"),
    path("", admin_views.report_index, name="index"),
    path("new/", admin_views.report_create, name="create"),
    path("<int:pk>/", admin_views.report_detail, name="report"),
    path("<int:pk>/edit/", admin_views.report_edit, name="edit"),
    path("<int:pk>/pdf/", admin_views.report_pdf, name="pdf"),
    path("<int:pk>/issue/", admin_views.report_issue, name="issue"),
    path("<int:pk>/delete/", admin_views.report_delete, name="delete"),
]
