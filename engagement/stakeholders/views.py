"""Admin views of the stakeholder register beyond the generic viewset: the grid page,
its print version, acknowledging alerts and the CSV import. Thin: reads come from
``selectors``, writes from ``services``."""

import functools

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST
from django.views.generic import FormView
from signpost.admin_permissions import require_permission
from signpost.choosers import user_may_choose
from signpost.exports import csv_response
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies import ModelPermissionPolicy

from engagement.places.models import Area

from . import importing, selectors, services
from .grid import MAX_IN_CELL, grid_chart
from .models import Quadrant, Stakeholder, StakeholderAlert
from .strategy import STRATEGIES

GRID_PERMISSION = "engagement.view_stakeholder_grid"


class GridFilterForm(forms.Form):
    area = forms.ModelChoiceField(
        queryset=Area.objects.all(), required=False, empty_label="All areas"
    )
    stakeholder_type = forms.ChoiceField(
        label="Type", choices=[("", "All types")] + Stakeholder.Type.choices, required=False
    )

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        if self.cleaned_data.get("area"):
            queryset = queryset.filter(areas=self.cleaned_data["area"])
        if self.cleaned_data.get("stakeholder_type"):
            queryset = queryset.filter(stakeholder_type=self.cleaned_data["stakeholder_type"])
        return queryset

    def listing_filters(self) -> dict:
        """The register listing's filters that show the same stakeholders."""
        if not self.is_valid():
            return {}
        area = self.cleaned_data.get("area")
        return {
            "areas": area.pk if area else None,
            "stakeholder_type": self.cleaned_data.get("stakeholder_type"),
        }


def stakeholder_inspect_url(stakeholder) -> str:
    """The stakeholder's inspect page: the address is worked out once, then filled in for
    each of the grid's up to 225 names."""
    return _inspect_url_prefix() + f"{stakeholder.pk}/"


@functools.cache
def _inspect_url_prefix() -> str:
    return reverse("wagtailsnippets_engagement_stakeholder:inspect", args=[0])[: -len("0/")]


def grid_context(
    request,
    queryset,
    *,
    svg_id: str = "stakeholder-grid",
    listing_filters: dict | None = None,
    names: bool = True,
) -> dict:
    """Everything a template needs to draw the grid for this user: names and links for
    those who may read the register, counts per cell for everyone else (and for anyone
    with ``names=False``: a summary that leaves the names to the grid's own page).

    The same few queries at any size: counts per cell, then at most ``MAX_IN_CELL`` names
    per cell; the rest of a quadrant is a count and a link to the register filtered to it
    (``listing_filters`` are the register's filters matching ``queryset``)."""
    named = names and request.user.has_perm("engagement.view_stakeholder")
    cell_counts = selectors.stakeholder_cell_counts(queryset)
    counts = selectors.quadrant_counts_from_cells(cell_counts)
    total = sum(counts.values())
    stakeholders = (
        list(selectors.stakeholders_for_grid(queryset, per_cell=MAX_IN_CELL, cells=cell_counts))
        if total and named
        else []
    )
    flagged = (
        set(
            selectors.stakeholder_alerts_open()
            .filter(stakeholder__in=[s.pk for s in stakeholders])
            .values_list("stakeholder_id", flat=True)
        )
        if stakeholders
        else set()
    )
    chart = grid_chart(
        stakeholders,
        cell_counts=cell_counts,
        anonymous=not named,
        url_for=stakeholder_inspect_url,
        flagged_ids=flagged,
    )
    listing_url = reverse("wagtailsnippets_engagement_stakeholder:list")
    filters = {k: v for k, v in (listing_filters or {}).items() if v not in (None, "")}
    more = [
        {
            "label": q.label,
            "count": chart.hidden[q],
            "url": f"{listing_url}?{urlencode({**filters, 'quadrant': q.value})}",
        }
        for q in Quadrant
        if chart.hidden.get(q)
    ]
    summary = ", ".join(f"{counts[q.value]} {q.label.lower()}" for q in Quadrant)
    return {
        "chart": chart,
        "svg_id": svg_id,
        "title": "Stakeholders on the interest/influence grid",
        "description": (
            f"{total} scored stakeholder{'s' if total != 1 else ''}: {summary}. "
            "Influence runs left to right and interest bottom to top, each scored 1 to 5; "
            f"scores of {chart.threshold} or more count as high. A table follows the chart."
        ),
        "quadrant_rows": [
            {"label": q.label, "strategy": STRATEGIES[q].summary, "count": counts[q.value]}
            for q in Quadrant
        ],
        "counts": counts,
        "total": total,
        "link_names": named,
        "more": more,
    }


def _grid_page_context(request) -> dict:
    require_permission(request, GRID_PERMISSION)
    form = GridFilterForm(request.GET or None)
    queryset = form.filter(Stakeholder.objects.all())
    context = grid_context(request, queryset, listing_filters=form.listing_filters())
    context["filter_form"] = form
    parts = []
    if form.is_bound and form.is_valid():
        if form.cleaned_data.get("area"):
            parts.append(str(form.cleaned_data["area"]))
        if form.cleaned_data.get("stakeholder_type"):
            parts.append(Stakeholder.Type(form.cleaned_data["stakeholder_type"]).label)
    context["filter_summary"] = " · ".join(parts) or "All areas and types"
    context["query"] = request.GET.urlencode()
    return context


def stakeholder_grid(request):
    context = _grid_page_context(request)
    context["page_title"] = "Stakeholder grid"
    context["header_icon"] = "view"
    return TemplateResponse(request, "engagement/admin/grid.html", context)


def stakeholder_grid_print(request):
    """A standalone page with no admin furniture, laid out for paper."""
    context = _grid_page_context(request)
    return TemplateResponse(request, "engagement/admin/grid_print.html", context)


PICKER_RESULTS = 20


def stakeholder_picker_search(request):
    """The engagement form's stakeholder search: matching stakeholders as JSON, for users
    who may choose stakeholders (the same rule the form's field applies to what is posted)."""
    if not user_may_choose(request.user, Stakeholder):
        raise PermissionDenied
    found = selectors.stakeholders_matching(request.GET.get("q", ""), limit=PICKER_RESULTS)
    return JsonResponse(
        {
            "results": [{"id": s.pk, "label": str(s)} for s in found[:PICKER_RESULTS]],
            "more": len(found) > PICKER_RESULTS,
        }
    )


@require_POST
def stakeholder_alert_acknowledge(request, alert_id: int):
    require_permission(request, "engagement.change_stakeholder")
    alert = get_object_or_404(StakeholderAlert, pk=alert_id)
    services.stakeholder_alert_acknowledge(alert=alert, user=request.user)
    messages.success(request, f"Noted: {alert.stakeholder.name}'s strategy has been reviewed.")
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("wagtailadmin_home")
    return redirect(next_url)


# --- Importing stakeholders from CSV ---------------------------------------------------


class StakeholderImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="A .csv file saved as “CSV UTF-8”, with the template's heading row.",
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
        error_messages={
            "required": "Choose a CSV file to import.",
            "empty": "The file is empty.",
        },
    )


class StakeholderImportView(WagtailAdminTemplateMixin, FormView):
    """Add many stakeholders from a spreadsheet, all or nothing: a file with any problem
    comes back as a report of every row, column and problem, and nothing is saved."""

    template_name = "engagement/admin/stakeholder_import.html"
    page_title = "Import stakeholders from CSV"
    header_icon = "upload"
    form_class = StakeholderImportForm
    permission_policy = ModelPermissionPolicy(Stakeholder)
    index_url_name = None
    template_url_name = None
    # A report longer than this is cut, saying how many more problems there are.
    problems_shown = 500

    def dispatch(self, request, *args, **kwargs):
        require_permission(request, "engagement.add_stakeholder")
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Stakeholders"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            importing.stakeholder_import_help(),
            template_url=reverse(self.template_url_name),
            index_url=reverse(self.index_url_name),
        )
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        check = services.stakeholders_import(
            file=upload, filename=upload.name, imported_by=self.request.user
        )
        if check.problems:
            return self.render_to_response(
                self.get_context_data(
                    form=form,
                    check=check,
                    problems=check.problems[: self.problems_shown],
                    problems_hidden=max(0, len(check.problems) - self.problems_shown),
                    problem_rows=len({p.row for p in check.problems if p.row}),
                )
            )
        count = len(check.rows)
        messages.success(
            self.request,
            f"Imported {count} stakeholder{'s' if count != 1 else ''} from {check.filename}.",
        )
        return redirect(self.index_url_name)


def stakeholder_import_template(request):
    """The heading row of an import file, ready to fill in."""
    require_permission(request, "engagement.add_stakeholder")
    return csv_response("stakeholders-import.csv", importing.template_headings(), [])
