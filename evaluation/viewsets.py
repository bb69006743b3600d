"""The crime evaluation's admin registers: areas, evaluations and the imports' listing,
grouped under one *Crime evaluation* menu."""

from signpost.choosers import PermissionCheckedSnippetViewSet
from signpost.viewsets import ListingViewSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column

from . import views
from .forms import EvaluationForm
from .models import CrimeArea, CrimeImport, Evaluation


class CrimeAreaViewSet(PermissionCheckedSnippetViewSet):
    model = CrimeArea
    icon = "site"
    menu_label = "Crime areas"
    add_to_admin_menu = False
    list_display = ["name", "area", "buffer_of"]
    search_fields = ["name"]
    inspect_view_enabled = True

    def get_queryset(self, request):
        return CrimeArea.objects.select_related("area", "buffer_of")


class EvaluationViewSet(PermissionCheckedSnippetViewSet):
    model = Evaluation
    icon = "table"
    menu_label = "Evaluations"
    add_to_admin_menu = False
    list_display = [
        "name",
        "operation",
        "operation_area",
        Column("before_start", label="Before from"),
        Column("after_end", label="After to"),
    ]
    search_fields = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldPanel("operation"),
            MultiFieldPanel(
                [
                    FieldPanel("operation_area"),
                    FieldPanel("buffer_area"),
                    FieldPanel("comparison_area"),
                ],
                "Areas",
            ),
            FieldPanel("crime_types"),
            FieldRowPanel([FieldPanel("before_start"), FieldPanel("before_end")], "Before"),
            FieldRowPanel([FieldPanel("after_start"), FieldPanel("after_end")], "After"),
            FieldPanel("in_reports"),
        ],
        base_form_class=EvaluationForm,
    )

    def get_queryset(self, request):
        return Evaluation.objects.select_related("operation", "operation_area")


class CrimeImportViewSet(ListingViewSet):
    model = CrimeImport
    icon = "upload"
    menu_label = "Crime data imports"
    add_url_name = "evaluation_admin:import"
    index_view_class = views.ImportIndexView
    list_filter = ["status"]
    ordering = "-created_at"
