from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("", views.report_index, name="index"),
    path("new/", views.report_create, name="create"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/pdf/", views.report_pdf, name="pdf"),
    path("<int:pk>/issue/", views.report_issue, name="issue"),
    path("<int:pk>/delete/", views.report_delete, name="delete"),
]
