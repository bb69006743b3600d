"""The surveys' admin pages: choosing two waves, their comparison, its downloads and
publication, and issuing household codes."""

from django.urls import path

from . import views
from .population import views as population_views

COMPARISON = "compare/<int:baseline>/<int:follow_up>/"

urlpatterns = [
    path("compare/", views.ChooseWavesView.as_view(), name="surveys_compare_choose"),
    path(COMPARISON, views.ComparisonView.as_view(), name="surveys_compare"),
    path(
        COMPARISON + "aggregates.<str:fmt>",
        views.AggregateExportView.as_view(),
        name="surveys_compare_export",
    ),
    path(
        COMPARISON + "responses.<str:fmt>",
        views.RawExportView.as_view(),
        name="surveys_compare_raw",
    ),
    path(COMPARISON + "publish/", views.PublishView.as_view(), name="surveys_compare_publish"),
    path("codes/", views.IssueCodesView.as_view(), name="surveys_issue_codes"),
    path(
        "population/import/",
        population_views.CensusImportView.as_view(),
        name="surveys_population_import",
    ),
]
