"""Admin registers of areas and operations."""

from signpost.choosers import PermissionCheckedSnippetViewSet

from .models import Area, Operation


class AreaViewSet(PermissionCheckedSnippetViewSet):
    model = Area
    icon = "site"
    menu_label = "Areas"
    list_display = ["name", "household_count", "postcode_prefixes"]
    search_fields = ["name", "streets"]
    inspect_view_enabled = True


class OperationViewSet(PermissionCheckedSnippetViewSet):
    model = Operation
    icon = "date"
    menu_label = "Operations"
    list_display = ["name", "start_date", "arrest_day", "end_date"]
    list_filter = ["areas"]
    search_fields = ["name"]
    inspect_view_enabled = True
