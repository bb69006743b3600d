from django.db.models import Count
from django.urls import path, reverse
from signpost.admin_menu import PermissionMenuItem
from signpost.choosers import PermissionCheckedSnippetViewSet
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet

from . import views
from .models import SurveyWave


class SurveyWaveViewSet(PermissionCheckedSnippetViewSet):
    model = SurveyWave
    icon = "form"
    menu_label = "Survey waves"
    menu_order = 250
    add_to_admin_menu = True
    list_display = [
        "__str__",
        "kind",
        "area",
        "opens_on",
        "closes_on",
        Column("response_count", label="Responses"),
    ]
    list_filter = ["kind", "area", "survey"]
    search_fields = ["slug"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        return SurveyWave.objects.select_related("survey", "area").annotate(
            response_count=Count("responses")
        )


register_snippet(SurveyWaveViewSet)


@hooks.register("register_admin_urls")
def register_comparison_urls():
    base = "surveys/compare/<int:baseline>/<int:follow_up>/"
    return [
        path("surveys/compare/", views.ChooseWavesView.as_view(), name="surveys_compare_choose"),
        path(base, views.ComparisonView.as_view(), name="surveys_compare"),
        path(
            base + "aggregates.<str:fmt>",
            views.AggregateExportView.as_view(),
            name="surveys_compare_export",
        ),
        path(
            base + "responses.<str:fmt>",
            views.RawExportView.as_view(),
            name="surveys_compare_raw",
        ),
        path(base + "publish/", views.PublishView.as_view(), name="surveys_compare_publish"),
        path("surveys/codes/", views.IssueCodesView.as_view(), name="surveys_issue_codes"),
    ]


@hooks.register("register_admin_menu_item")
def register_comparison_menu_item():
    return PermissionMenuItem(
        "Survey results",
        reverse("surveys_compare_choose"),
        icon_name="table",
        order=251,
        permission=views.READ_PERMISSION,
    )


@hooks.register("register_admin_menu_item")
def register_issue_codes_menu_item():
    return PermissionMenuItem(
        "Household codes",
        reverse("surveys_issue_codes"),
        icon_name="key",
        order=252,
        permission="surveys.add_responsecode",
    )
