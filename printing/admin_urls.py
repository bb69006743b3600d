from django.urls import path

from . import admin_views

urlpatterns = [
    path("runs/", admin_views.print_run_index, name="runs"),
    path("runs/new/", admin_views.print_run_create, name="create"),
    path("runs/<int:pk>/", admin_views.print_run_detail, name="run"),
    path("runs/<int:pk>/status/", admin_views.print_run_status, name="status"),
    path("runs/<int:pk>/download/", admin_views.print_run_download, name="download"),
    path("runs/<int:pk>/preview/", admin_views.print_run_preview, name="preview"),
    path("runs/<int:pk>/retry/", admin_views.print_run_retry, name="retry"),
    path("signs/", admin_views.sign_index, name="signs"),
    path("signs/<int:pk>/", admin_views.sign_log, name="sign"),
]
