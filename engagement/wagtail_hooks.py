from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Area, Operation


class AreaViewSet(SnippetViewSet):
    model = Area
    icon = "site"
    menu_label = "Areas"
    list_display = ["name", "household_count", "postcode_prefixes"]
    search_fields = ["name", "streets"]
    inspect_view_enabled = True


class OperationViewSet(SnippetViewSet):
    model = Operation
    icon = "date"
    menu_label = "Operations"
    list_display = ["name", "start_date", "arrest_day", "end_date"]
    list_filter = ["areas"]
    search_fields = ["name"]
    inspect_view_enabled = True


class InitiativeViewSetGroup(SnippetViewSetGroup):
    """The 'Initiative' menu; later capabilities add their registers to it."""

    menu_label = "Initiative"
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (AreaViewSet, OperationViewSet)


register_snippet(InitiativeViewSetGroup)
