"""The crime evaluation's admin pages: importing police.uk files and following an
import, an area's page and its ring, and an evaluation's page and downloads."""

from django.urls import path

from . import views

urlpatterns = [
    path("import/", views.ImportView.as_view(), name="import"),
    path("import/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("areas/<int:pk>/", views.AreaView.as_view(), name="area"),
    path("areas/<int:pk>/ring/", views.RingView.as_view(), name="ring"),
    path("<int:pk>/", views.EvaluationView.as_view(), name="evaluation"),
    path("<int:pk>/<str:table>.<str:fmt>", views.EvaluationExportView.as_view(), name="export"),
]
