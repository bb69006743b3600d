"""The admin register of survey waves."""

from signpost.choosers import PermissionCheckedSnippetViewSet
from wagtail.admin.ui.tables import Column

from .models import SurveyWave
from .selectors import published_responses


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
        Column("response_count", label="Responses (published)"),
    ]
    list_filter = ["kind", "area", "survey"]
    search_fields = ["slug"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        # The published count, as everywhere outside the analysts' live view.
        return SurveyWave.objects.select_related("survey", "area").annotate(
            response_count=published_responses()
        )
