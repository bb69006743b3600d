"""The analyst's comparison of a baseline and a follow-up wave, its exports, and the
"you said, we did" page made from it. Thin: figures come from ``selectors``."""

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
    comparison_build,
    comparison_table_rows,
    raw_responses,
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


class ChooseWavesForm(forms.Form):
    baseline = forms.ModelChoiceField(
        queryset=SurveyWave.objects.select_related("survey", "area"), label="Before (baseline)"
    )
    follow_up = forms.ModelChoiceField(
        queryset=SurveyWave.objects.select_related("survey", "area"), label="After (follow-up)"
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("baseline") and cleaned.get("baseline") == cleaned.get("follow_up"):
            raise forms.ValidationError("Choose two different waves.")
        return cleaned


class ChooseWavesView(_ComparisonAccess, WagtailAdminTemplateMixin, FormView):
    page_title = "Compare survey waves"
    header_icon = "table"
    template_name = "surveys/admin/choose_waves.html"
    form_class = ChooseWavesForm

    def get_initial(self):
        baseline = SurveyWave.objects.filter(kind=SurveyWave.BASELINE).order_by("-opens_on").first()
        follow_up = (
            SurveyWave.objects.filter(kind=SurveyWave.FOLLOW_UP).order_by("-opens_on").first()
        )
        return {"baseline": baseline, "follow_up": follow_up}

    def form_valid(self, form):
        return redirect(
            "surveys_compare",
            baseline=form.cleaned_data["baseline"].pk,
            follow_up=form.cleaned_data["follow_up"].pk,
        )


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
        baseline, follow_up = self.waves()
        comparison = comparison_build(baseline=baseline, follow_up=follow_up)
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
            **kwargs,
        )


class AggregateExportView(_ComparisonAccess, TemplateView):
    def get(self, request, *args, **kwargs):
        baseline, follow_up = self.waves()
        comparison = comparison_build(baseline=baseline, follow_up=follow_up)
        name = f"{baseline.slug}-vs-{follow_up.slug}-aggregates"
        rows = list(comparison_table_rows(comparison))
        if kwargs["fmt"] == "xlsx":
            return xlsx_response(f"{name}.xlsx", AGGREGATE_HEADER, rows)
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
        header = ["wave", "submitted_on"] + [q.key for q in questions]
        rows = raw_responses([baseline, follow_up], questions)
        name = f"{baseline.slug}-vs-{follow_up.slug}-responses"
        if kwargs["fmt"] == "xlsx":
            return xlsx_response(f"{name}.xlsx", header, rows)
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
