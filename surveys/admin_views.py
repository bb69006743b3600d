"""The analyst's comparison of a baseline and a follow-up wave, its exports, and the
"you said, we did" page made from it. Thin: figures come from ``selectors``."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView
from signpost.exports import csv_response, xlsx_response
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import charts
from .models import SurveyWave
from .selectors import (
    AGGREGATE_HEADER,
    COMPARISON_AREA_CAVEAT,
    comparison_build,
    comparison_table_rows,
    raw_responses,
    raw_responses_header,
)
from .services import response_codes_issue, you_said_we_did_create

READ_PERMISSION = "surveys.view_response"
RAW_PERMISSION = "surveys.export_response"


class _ComparisonAccess:
    permission = READ_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        if kwargs.get("fmt", "csv") not in ("csv", "xlsx"):
            raise Http404("Exports are CSV or XLSX.")
        return super().dispatch(request, *args, **kwargs)

    def waves(self):
        queryset = SurveyWave.objects.select_related("survey", "area", "operation")
        baseline = get_object_or_404(queryset, pk=self.kwargs["baseline"])
        follow_up = get_object_or_404(queryset, pk=self.kwargs["follow_up"])
        return baseline, follow_up

    def comparison_waves(self, baseline, follow_up):
        """The comparison area's two waves named in the query string, checked as the
        choosing form checks them; none when absent."""
        form = ComparisonAreaForm(self.request.GET or None)
        if not self.request.GET.get("comparison_baseline"):
            return None, None
        form.baseline, form.follow_up = baseline, follow_up
        if not form.is_valid():
            raise Http404("Those waves cannot be a comparison area for this comparison.")
        return form.cleaned_data["comparison_baseline"], form.cleaned_data["comparison_follow_up"]

    def build(self):
        baseline, follow_up = self.waves()
        comparison_baseline, comparison_follow_up = self.comparison_waves(baseline, follow_up)
        comparison = comparison_build(
            baseline=baseline,
            follow_up=follow_up,
            comparison_baseline=comparison_baseline,
            comparison_follow_up=comparison_follow_up,
        )
        query = ""
        if comparison_baseline:
            query = "?" + urlencode(
                {
                    "comparison_baseline": comparison_baseline.pk,
                    "comparison_follow_up": comparison_follow_up.pk,
                }
            )
        return comparison, query


def comparison_area_errors(baseline, follow_up, comparison_baseline, comparison_follow_up):
    """Why two waves cannot serve as the comparison area for a baseline and follow-up."""
    errors = []
    if comparison_baseline.area_id != comparison_follow_up.area_id:
        errors.append("The comparison area's two waves must be in the same area.")
    if not comparison_baseline.area.is_comparison_area:
        errors.append(
            f"{comparison_baseline.area} is not marked as a comparison area (edit the area)."
        )
    if comparison_baseline.area_id in (baseline.area_id, follow_up.area_id):
        errors.append("The comparison area must be another area than the operation's.")
    if {comparison_baseline.survey_id, comparison_follow_up.survey_id} != {
        baseline.survey_id,
        follow_up.survey_id,
    }:
        errors.append("The comparison area must run the same survey.")
    if (comparison_baseline.kind, comparison_follow_up.kind) != (
        SurveyWave.BASELINE,
        SurveyWave.FOLLOW_UP,
    ):
        errors.append("Choose the comparison area's baseline, then its follow-up.")
    return errors


class ComparisonAreaForm(forms.Form):
    comparison_baseline = forms.ModelChoiceField(
        queryset=SurveyWave.objects.filter(area__is_comparison_area=True).select_related(
            "survey", "area"
        ),
        required=False,
        label="Comparison area before (optional)",
        help_text="The same survey in an area where no operation ran, over the same weeks.",
    )
    comparison_follow_up = forms.ModelChoiceField(
        queryset=SurveyWave.objects.filter(area__is_comparison_area=True).select_related(
            "survey", "area"
        ),
        required=False,
        label="Comparison area after (optional)",
    )
    baseline = follow_up = None

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("comparison_baseline"), cleaned.get("comparison_follow_up")
        if not first and not second:
            return cleaned
        if not (first and second):
            raise forms.ValidationError("Choose both of the comparison area's waves, or neither.")
        baseline = cleaned.get("baseline", self.baseline)
        follow_up = cleaned.get("follow_up", self.follow_up)
        if baseline and follow_up:
            errors = comparison_area_errors(baseline, follow_up, first, second)
            if errors:
                raise forms.ValidationError(errors)
        return cleaned


class ChooseWavesForm(ComparisonAreaForm):
    baseline = forms.ModelChoiceField(
        queryset=SurveyWave.objects.select_related("survey", "area"), label="Before (baseline)"
    )
    follow_up = forms.ModelChoiceField(
        queryset=SurveyWave.objects.select_related("survey", "area"), label="After (follow-up)"
    )
    field_order = ["baseline", "follow_up", "comparison_baseline", "comparison_follow_up"]

    def clean(self):
        if self.data.get("baseline") and self.data.get("baseline") == self.data.get("follow_up"):
            raise forms.ValidationError("Choose two different waves.")
        return super().clean()


class ChooseWavesView(_ComparisonAccess, WagtailAdminTemplateMixin, FormView):
    page_title = "Compare survey waves"
    header_icon = "table"
    template_name = "surveys/admin/choose_waves.html"
    form_class = ChooseWavesForm

    def get_initial(self):
        waves = SurveyWave.objects.order_by("-opens_on")
        chosen = {
            name: waves.filter(pk=self.request.GET[name]).first()
            for name in ("baseline", "follow_up")
            if self.request.GET.get(name, "").isdigit()
        }
        return {
            "baseline": waves.filter(kind=SurveyWave.BASELINE).first(),
            "follow_up": waves.filter(kind=SurveyWave.FOLLOW_UP).first(),
            **chosen,
        }

    def form_valid(self, form):
        url = reverse(
            "surveys_compare",
            kwargs={
                "baseline": form.cleaned_data["baseline"].pk,
                "follow_up": form.cleaned_data["follow_up"].pk,
            },
        )
        if form.cleaned_data.get("comparison_baseline"):
            url += "?" + urlencode(
                {
                    "comparison_baseline": form.cleaned_data["comparison_baseline"].pk,
                    "comparison_follow_up": form.cleaned_data["comparison_follow_up"].pk,
                }
            )
        return redirect(url)


class ComparisonView(_ComparisonAccess, WagtailAdminTemplateMixin, TemplateView):
    page_title = "Survey comparison"
    header_icon = "table"
    template_name = "surveys/admin/comparison.html"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("surveys_compare_choose"), "label": "Compare survey waves"},
            {"url": "", "label": "Comparison"},
        ]

    def get_context_data(self, **kwargs):
        comparison, query = self.build()
        follow_up = comparison.follow_up.wave
        rows = [
            {"row": row, "chart": charts.distribution_chart(row)} for row in comparison.questions
        ]
        follow_up_parent = follow_up.survey
        return super().get_context_data(
            comparison=comparison,
            rows=rows,
            change_chart=charts.change_chart(comparison.questions),
            can_export_raw=self.request.user.has_perm(RAW_PERMISSION),
            can_publish=follow_up_parent.permissions_for_user(self.request.user).can_add_subpage(),
            comparison_query=query,
            comparison_area_caveat=COMPARISON_AREA_CAVEAT,
            **kwargs,
        )


class AggregateExportView(_ComparisonAccess, TemplateView):
    def get(self, request, *args, **kwargs):
        comparison, _ = self.build()
        baseline, follow_up = comparison.baseline.wave, comparison.follow_up.wave
        name = f"{baseline.slug}-vs-{follow_up.slug}-aggregates"
        rows = list(comparison_table_rows(comparison))
        if kwargs["fmt"] == "xlsx":
            return xlsx_response(
                f"{name}.xlsx", AGGREGATE_HEADER, rows, sheet_title="Survey comparison"
            )
        return csv_response(f"{name}.csv", AGGREGATE_HEADER, rows)


class RawExportView(_ComparisonAccess, TemplateView):
    """Anonymous raw responses of both waves, one row each; only for analysts."""

    permission = RAW_PERMISSION

    def get(self, request, *args, **kwargs):
        baseline, follow_up = self.waves()
        questions = list(
            {
                **{q.key: q for q in baseline.survey.get_questions()},
                **{q.key: q for q in follow_up.survey.get_questions()},
            }.values()
        )
        header = raw_responses_header(questions)
        rows = raw_responses([baseline, follow_up], questions)
        name = f"{baseline.slug}-vs-{follow_up.slug}-responses"
        if kwargs["fmt"] == "xlsx":
            return xlsx_response(f"{name}.xlsx", header, rows, sheet_title="Anonymous responses")
        return csv_response(f"{name}.csv", header, rows)


class PublishForm(forms.Form):
    title = forms.CharField(max_length=255)
    you_said = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="You said",
        help_text="What residents told us.",
    )
    we_did = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="We did",
        help_text="What partners did about it.",
    )
    what_changed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="What the survey shows",
        help_text="Starts from the plain-English summary. Keep it honest: no claim that the "
        "operation caused a change.",
    )


class PublishView(_ComparisonAccess, WagtailAdminTemplateMixin, FormView):
    page_title = "Publish “you said, we did”"
    header_icon = "doc-full"
    template_name = "surveys/admin/publish.html"
    form_class = PublishForm

    def _check_page_permission(self, follow_up):
        if not follow_up.survey.permissions_for_user(self.request.user).can_add_subpage():
            raise PermissionDenied

    def get_initial(self):
        baseline, follow_up = self.waves()
        self._check_page_permission(follow_up)
        comparison = comparison_build(baseline=baseline, follow_up=follow_up)
        return {
            "title": f"You said, we did: {follow_up.area.name}",
            "what_changed": " ".join(comparison.summary),
        }

    def form_valid(self, form):
        baseline, follow_up = self.waves()
        self._check_page_permission(follow_up)
        page = you_said_we_did_create(
            baseline=baseline, follow_up=follow_up, user=self.request.user, **form.cleaned_data
        )
        messages.success(
            self.request,
            f"Draft page ‘{page.title}’ created. Check it, then publish or submit it for sign-off.",
        )
        return redirect("wagtailadmin_pages:edit", page.pk)


class IssueCodesForm(forms.Form):
    wave = forms.ModelChoiceField(queryset=SurveyWave.objects.select_related("survey", "area"))
    count = forms.IntegerField(
        min_value=1,
        max_value=50_000,
        label="How many codes",
        help_text="One per household. The printing app makes per-household leaflets itself; "
        "use this for codes you hand out another way.",
    )


class IssueCodesView(_ComparisonAccess, WagtailAdminTemplateMixin, FormView):
    """Issue single-use household codes for a wave and download them with their links."""

    permission = "surveys.add_responsecode"
    page_title = "Household codes"
    header_icon = "key"
    template_name = "surveys/admin/issue_codes.html"
    form_class = IssueCodesForm

    def form_valid(self, form):
        wave = form.cleaned_data["wave"]
        codes = response_codes_issue(wave=wave, count=form.cleaned_data["count"])
        return csv_response(
            f"{wave.slug}-codes.csv",
            ["code", "address"],
            ([code.display, wave.get_public_url(code=code.code)] for code in codes),
        )
