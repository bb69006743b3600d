"""The admin's printing registers: print templates, and the listings of print runs and
signs."""

from signpost.choosers import PermissionCheckedSnippetViewSet
from signpost.viewsets import ListingViewSet

from . import views
from .filters import PrintRunFilterSet, SignFilterSet
from .models import PrintRun, PrintTemplate, Sign


class PrintTemplateViewSet(PermissionCheckedSnippetViewSet):
    model = PrintTemplate
    icon = "doc-full"
    menu_label = "Print templates"
    add_to_admin_menu = False
    list_display = ["name", "kind", "headline", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name"]


class PrintRunViewSet(ListingViewSet):
    model = PrintRun
    icon = "doc-full-inverse"
    index_view_class = views.PrintRunIndexView
    add_url_name = "printing_admin:create"
    filterset_class = PrintRunFilterSet
    ordering = "-created_at"
    list_per_page = 25


class SignViewSet(ListingViewSet):
    model = Sign
    icon = "pick"
    index_view_class = views.SignIndexView
    filterset_class = SignFilterSet
    list_per_page = 50
