from django.urls import path

from . import views

urlpatterns = [
    path("runs/new/", views.print_run_create, name="create"),
    path("runs/<int:pk>/", views.print_run_detail, name="run"),
    path("runs/<int:pk>/status/", views.print_run_status, name="status"),
    path("runs/<int:pk>/download/", views.print_run_download, name="download"),
    path("runs/<int:pk>/preview/", views.print_run_preview, name="preview"),
    path("runs/<int:pk>/accessible/", views.print_run_accessible, name="accessible"),
    path("runs/<int:pk>/retry/", views.print_run_retry, name="retry"),
    path("signs/<int:pk>/", views.sign_log, name="sign"),
]
