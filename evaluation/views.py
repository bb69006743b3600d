"""The analyst's admin pages of the crime evaluation: uploading police.uk files and
following the import, an area's page (what it includes) and its generated ring, and an
evaluation's page with its downloads. Thin: the figures come from ``selectors``, the
writes from ``services``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView, View
from signpost.admin_permissions import require_permission
from signpost.exports import csv_response, xlsx_response
from signpost.viewsets import ListingIndexView
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import ListingButton

from . import charts, geography, selectors
from .forms import CrimeUploadForm, RingForm
from .models import CrimeArea, CrimeImport, CrimeMonth, Evaluation
from .services import crime_area_ring_create, crime_import_create

VIEW_EVALUATION = "evaluation.view_evaluation"
VIEW_AREA = "evaluation.view_crimearea"
ADD_AREA = "evaluation.add_crimearea"
VIEW_IMPORT = "evaluation.view_crimeimport"
ADD_IMPORT = "evaluation.add_crimeimport"


class _Permitted:
    permission = ""
    #: The listing above the page, for the breadcrumbs: (URL name, label).
    parent = ("evaluation_imports:index", "police.uk imports")

    def dispatch(self, request, *args, **kwargs):
        require_permission(request, self.permission)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        url_name, label = self.parent
        return self.breadcrumbs_items + [
            {"url": reverse(url_name), "label": label},
            {"url": "", "label": self.get_page_title()},
        ]


class ImportIndexView(ListingIndexView):
    """Every import, newest first, each opening its own page (progress, months, refusal)."""

    page_title = "police.uk imports"
    add_item_label = "Import police.uk crime data"
    list_display = [
        TitleColumn(
            "file_name",
            label="File",
            get_url=lambda crime_import: reverse(
                "evaluation_admin:import_detail", args=[crime_import.pk]
            ),
        ),
        Column("status", label="Status", accessor="get_status_display"),
        Column("months_loaded", label="Months swapped in"),
        Column("rows_total", label="Rows"),
        Column("created_at", label="Uploaded"),
        Column(
            "created_by",
            label="By",
            accessor=lambda i: (i.created_by and i.created_by.get_full_name()) or "—",
        ),
    ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("created_by")


class ImportView(_Permitted, WagtailAdminTemplateMixin, FormView):
    permission = ADD_IMPORT
    page_title = "Import police.uk crime data"
    header_icon = "upload"
    template_name = "evaluation/admin/import.html"
    form_class = CrimeUploadForm

    def form_valid(self, form):
        crime_import = crime_import_create(upload=form.cleaned_data["file"], user=self.request.user)
        return redirect("evaluation_admin:import_detail", crime_import.pk)


class ImportDetailView(_Permitted, WagtailAdminTemplateMixin, TemplateView):
    permission = VIEW_IMPORT
    page_title = "police.uk import"
    header_icon = "upload"
    template_name = "evaluation/admin/import_detail.html"

    def get_context_data(self, **kwargs):
        crime_import = get_object_or_404(CrimeImport, pk=self.kwargs["pk"])
        months = CrimeMonth.objects.filter(crime_import=crime_import, status=CrimeMonth.LIVE)
        return super().get_context_data(
            crime_import=crime_import,
            months=months.order_by("month", "reported_by"),
            rows_live=months.aggregate(rows=Sum("row_count"))["rows"] or 0,
            finished=crime_import.status in CrimeImport.FINISHED,
            **kwargs,
        )


class AreaView(_Permitted, WagtailAdminTemplateMixin, TemplateView):
    """What an area includes: its LSOAs, its boundary and the crimes it holds."""

    permission = VIEW_AREA
    parent = ("wagtailsnippets_evaluation_crimearea:list", "Crime areas")
    header_icon = "site"
    template_name = "evaluation/admin/area.html"

    def get_page_title(self):
        return self.area.name

    def get(self, request, *args, **kwargs):
        self.area = get_object_or_404(
            CrimeArea.objects.select_related("area", "buffer_of"), pk=kwargs["pk"]
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        summary = selectors.crime_area_summary(self.area)
        boundary = (
            geography.boundary_parse(self.area.boundary) if self.area.boundary.strip() else None
        )
        return super().get_context_data(
            area=self.area,
            summary=summary,
            map=charts.area_map(boundary, summary["points"], title=f"{self.area.name}: map"),
            can_ring=self.request.user.has_perm(ADD_AREA) and boundary is not None,
            **kwargs,
        )


class RingView(_Permitted, WagtailAdminTemplateMixin, FormView):
    """Generate a buffer: a ring of a given width around an area's boundary."""

    permission = ADD_AREA
    parent = ("wagtailsnippets_evaluation_crimearea:list", "Crime areas")
    header_icon = "site"
    page_title = "Generate a buffer ring"
    template_name = "evaluation/admin/ring.html"
    form_class = RingForm

    def dispatch(self, request, *args, **kwargs):
        require_permission(request, self.permission)
        self.around = get_object_or_404(CrimeArea, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(around=self.around, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "around": self.around}

    def form_valid(self, form):
        try:
            ring = crime_area_ring_create(
                around=self.around,
                width_m=form.cleaned_data["width_m"],
                name=form.cleaned_data["name"],
                user=self.request.user,
            )
        except geography.BoundaryProblem as problem:
            form.add_error(None, str(problem))
            return self.form_invalid(form)
        except ValidationError as problem:  # the name taken a moment ago, by another ring
            form.add_error(None, problem.messages)
            return self.form_invalid(form)
        messages.success(self.request, f"‘{ring.name}’ generated.")
        return redirect("evaluation_admin:area", ring.pk)


def _evaluation(pk) -> Evaluation:
    return get_object_or_404(
        Evaluation.objects.select_related(
            "operation", "operation_area", "buffer_area", "comparison_area"
        ),
        pk=pk,
    )


class EvaluationView(_Permitted, WagtailAdminTemplateMixin, TemplateView):
    permission = VIEW_EVALUATION
    parent = ("wagtailsnippets_evaluation_evaluation:list", "Evaluations")
    header_icon = "table"
    template_name = "evaluation/admin/evaluation.html"

    def get_page_title(self):
        return self.evaluation.name

    def get(self, request, *args, **kwargs):
        self.evaluation = _evaluation(kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        result = selectors.evaluation_build(self.evaluation)
        rows = [
            {
                "month": month,
                "period": selectors._period(self.evaluation, month),
                "counts": [result.series[zone][i] for zone in selectors.ZONES],
            }
            for i, month in enumerate(result.months)
        ]
        return super().get_context_data(
            evaluation=self.evaluation,
            result=result,
            chart=charts.series_chart(result),
            rows=rows,
            zones=[selectors.ZONE_LABELS[zone] for zone in selectors.ZONES],
            careful=selectors.careful_reading(result.overall),
            net_more=-(result.overall.quotient.total_net_effect or 0),
            by_type=[
                {"row": row, "careful": selectors.careful_reading(row)} for row in result.by_type
            ],
            **kwargs,
        )


class EvaluationExportView(_Permitted, View):
    permission = VIEW_EVALUATION
    TABLES = {
        "series": (selectors.SERIES_HEADER, selectors.series_rows, "Monthly series"),
        "summary": (selectors.SUMMARY_HEADER, selectors.summary_rows, "Evaluation"),
    }

    def get(self, request, pk, table, fmt):
        if table not in self.TABLES or fmt not in ("csv", "xlsx"):
            raise Http404("Exports are the series or the summary, as CSV or XLSX.")
        evaluation = _evaluation(pk)
        header, rows_of, sheet = self.TABLES[table]
        rows = list(rows_of(selectors.evaluation_build(evaluation)))
        name = f"crime-evaluation-{evaluation.pk}-{table}"
        if fmt == "xlsx":
            return xlsx_response(f"{name}.xlsx", header, rows, sheet_title=sheet)
        return csv_response(f"{name}.csv", header, rows)


def listing_buttons(snippet, user, next_url=None):
    """'Open' on an evaluation's and an area's row of their listings."""
    if isinstance(snippet, Evaluation) and user.has_perm(VIEW_EVALUATION):
        url = reverse("evaluation_admin:evaluation", args=[snippet.pk])
        return [ListingButton("Open evaluation", url, icon_name="view", priority=5)]
    if isinstance(snippet, CrimeArea) and user.has_perm(VIEW_AREA):
        url = reverse("evaluation_admin:area", args=[snippet.pk])
        return [ListingButton("What it includes", url, icon_name="view", priority=5)]
    return []
