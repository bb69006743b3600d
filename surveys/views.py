"""The resident's side of a survey wave (the form, the thank-you and the polite refusals),
and the analyst's in the admin: the comparison of a baseline and a follow-up wave, its
exports, household codes, and the "you said, we did" page made from it. Thin: figures
come from ``selectors``."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView, TemplateView
from signpost.admin_permissions import require_permission
from signpost.exports import (
    csv_response,
    export_prepare_if_large,
    export_rows_counted,
    xlsx_response,
)
from signpost.public_forms import rate_limited
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from . import charts
from .forms import ChooseWavesForm, ComparisonAreaForm, IssueCodesForm, PublishForm, SurveyForm
from .models import Response, ResponseCode, SurveyWave
from .profile import WHY_WE_ASK
from .profile_disclosure import raw_rows_profiles_protect
from .selectors import (
    AGGREGATE_HEADER,
    COMPARISON_AREA_CAVEAT,
    comparison_build,
    comparison_table_rows,
    raw_responses,
    raw_responses_header,
    response_code_problem,
)
from .services import (
    CodeError,
    code_normalise,
    response_codes_issue,
    response_submit,
    you_said_we_did_create,
)
from .weighted.selectors import weighted_comparison_build
from .weighted.tables import weighted_table_rows

READ_PERMISSION = "surveys.view_response"
RAW_PERMISSION = "surveys.export_response"


def _wave_or_none(slug):
    return (
        SurveyWave.objects.select_related("survey", "survey__locale", "area")
        .filter(slug=slug)
        .first()
    )


def _survey_read(wave):
    """The wave's survey in the resident's language (the address says which): its live,
    up-to-date translation, or the survey itself. Either way the keys are the survey's."""
    return wave.survey.for_language(translation.get_language())


def _unavailable(request, wave, *, status):
    return render(
        request,
        "surveys/wave_unavailable.html",
        {
            "wave": wave,
            "page": _survey_read(wave) if wave else None,
            "today": timezone.localdate(),
        },
        status=status,
    )


# The household code travels from the leaflet to the answers' POST in a signed cookie
# for that survey's address only, never in an address a log records.
CODE_COOKIE = "signpost_household_code"
CODE_UNREADABLE = gettext_lazy(
    "Codes are eight letters and numbers, for example ABCD-2345. Please check it against "
    "your leaflet."
)
CODE_COOKIE_AGE = 2 * 60 * 60


def _code_held(request, wave) -> str:
    return code_normalise(
        request.get_signed_cookie(
            CODE_COOKIE, default="", salt=f"surveys.code.{wave.slug}", max_age=CODE_COOKIE_AGE
        )
    )


def _code_hold(wave, code: str):
    """Keep the code for this wave and come back to its plain address."""
    response = redirect(wave.public_path)
    response.set_signed_cookie(
        CODE_COOKIE,
        code,
        salt=f"surveys.code.{wave.slug}",
        max_age=CODE_COOKIE_AGE,
        path=wave.public_path,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _code_step(request, wave, *, code="", error="", status=200):
    """The first step of a wave that takes household codes: the code is checked before
    the resident answers anything."""
    return render(
        request,
        "surveys/wave_code.html",
        {"wave": wave, "page": _survey_read(wave), "code": code, "error": error},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def wave_survey(request, slug):
    wave = _wave_or_none(slug)
    if wave is None or not wave.survey.live:
        return _unavailable(request, None, status=404)
    if not wave.is_open():
        return _unavailable(request, wave, status=200)
    # A code in the address (a leaflet printed before codes moved after "#", or a link
    # typed by hand) or from the code step is kept in a cookie and the resident sent on
    # to the plain address, so the code appears in no address after this one.
    if request.method == "GET" and "code" in request.GET:
        return _code_hold(wave, code_normalise(request.GET["code"]))
    if request.method == "POST" and request.POST.get("step") == "code":
        typed = request.POST.get("code", "")
        code = code_normalise(typed)
        if typed.strip() and not code:
            return _code_step(request, wave, code=typed[:20], error=CODE_UNREADABLE)
        return _code_hold(wave, code)
    survey = _survey_read(wave)
    questions = survey.get_questions()
    # After the code step the code is in the cookie; after a mistake on the form, in the
    # form's hidden field.
    code = code_normalise(request.POST.get("code", "")) if request.method == "POST" else ""
    code = code or _code_held(request, wave)

    if request.method == "GET" and (code or wave.requires_code):
        if not code:
            return _code_step(request, wave)
        limit, period = settings.SURVEYS_SUBMIT_RATE_LIMIT
        problem = response_code_problem(wave=wave, code=code)
        if problem and rate_limited(
            request, scope="survey-code", limit=limit, period_seconds=period
        ):
            problem = _(
                "We have had a lot of codes from your connection in the last hour. "
                "Please try again later."
            )
        if problem:
            shown = ResponseCode(code=code).display if len(code) == 8 else code
            return _code_step(request, wave, code=shown, error=problem, status=200)

    status = 200
    notice = ""
    if request.method == "POST":
        form = SurveyForm(request.POST, questions=questions, code_required=wave.requires_code)
        limit, period = settings.SURVEYS_SUBMIT_RATE_LIMIT
        if rate_limited(request, scope="survey", limit=limit, period_seconds=period):
            notice = _(
                "We have had a lot of answers from your connection in the last hour. Your "
                "answers are still on this page: please try sending them again later."
            )
            status = 429
            form.is_valid()
        elif form.is_bot():
            return redirect("surveys:thanks", slug=wave.slug)
        elif form.is_valid():
            try:
                response_submit(
                    wave=wave,
                    answers=form.answers(),
                    code=form.cleaned_data.get("code", ""),
                    language=survey.locale.language_code,
                )
            except CodeError as error:
                form.add_error("code", str(error))
            else:
                thanks = redirect("surveys:thanks", slug=wave.slug)
                thanks.delete_cookie(CODE_COOKIE, path=wave.public_path, samesite="Lax")
                return thanks
    else:
        form = SurveyForm(
            initial={"code": code}, questions=questions, code_required=wave.requires_code
        )
    return render(
        request,
        "surveys/wave_form.html",
        {
            "wave": wave,
            "page": survey,
            "form": form,
            "code": code,
            "code_display": ResponseCode(code=code).display if code else "",
            "code_accepted": bool(code) and not form.errors.get("code"),
            "notice": notice,
            "why_we_ask": WHY_WE_ASK,
        },
        status=status,
    )


def wave_thanks(request, slug):
    wave = _wave_or_none(slug)
    if wave is None or not wave.survey.live:
        return _unavailable(request, None, status=404)
    return render(
        request,
        "surveys/wave_thanks.html",
        {"wave": wave, "page": _survey_read(wave), "today": timezone.localdate()},
    )


class _ComparisonAccess:
    permission = READ_PERMISSION

    def dispatch(self, request, *args, **kwargs):
        require_permission(request, self.permission)
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

    def build(self, *, live: bool = False):
        """The comparison from the waves' published results; ``live`` (the analysts'
        view on screen only) from the responses stored now."""
        baseline, follow_up = self.waves()
        comparison_baseline, comparison_follow_up = self.comparison_waves(baseline, follow_up)
        comparison = comparison_build(
            baseline=baseline,
            follow_up=follow_up,
            comparison_baseline=comparison_baseline,
            comparison_follow_up=comparison_follow_up,
            live=live,
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
        may_see_live = self.request.user.has_perm(RAW_PERMISSION)
        comparison, query = self.build(live=may_see_live and self.request.GET.get("live") == "1")
        follow_up = comparison.follow_up.wave
        rows = [
            {"row": row, "chart": charts.distribution_chart(row)} for row in comparison.questions
        ]
        weighted = weighted_comparison_build(comparison)
        follow_up_parent = follow_up.survey
        return super().get_context_data(
            comparison=comparison,
            weighted=weighted,
            rows=rows,
            change_chart=charts.change_chart(comparison.questions),
            can_export_raw=may_see_live,
            may_see_live=may_see_live,
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
        rows += list(weighted_table_rows(weighted_comparison_build(comparison)))
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
        rows = raw_rows_profiles_protect(
            raw_responses([baseline, follow_up], questions),
            header=header,
            waves=[baseline, follow_up],
            questions=questions,
            threshold=settings.SURVEYS_SUPPRESSION_THRESHOLD,
        )
        name = f"{baseline.slug}-vs-{follow_up.slug}-responses"
        fmt = kwargs["fmt"]
        # Half a million responses take minutes: prepared by a worker beyond the bound.
        prepared = export_prepare_if_large(
            request,
            Response.objects.filter(wave__in=[baseline, follow_up]),
            title=f"Anonymous responses: {baseline} and {follow_up}",
            filename=f"{name}.{fmt}",
            export_format=fmt,
            permissions=[self.permission],
        )
        if prepared is not None:
            return prepared
        rows = export_rows_counted(request, rows)
        if fmt == "xlsx":
            return xlsx_response(f"{name}.xlsx", header, rows, sheet_title="Anonymous responses")
        return csv_response(f"{name}.csv", header, rows)


class PublishView(_ComparisonAccess, WagtailAdminTemplateMixin, FormView):
    page_title = "Publish “you said, we did”"
    header_icon = "doc-full"
    template_name = "surveys/admin/publish.html"
    form_class = PublishForm

    def _check_page_permission(self, follow_up):
        require_permission(
            self.request,
            lambda user: follow_up.survey.permissions_for_user(user).can_add_subpage(),
        )

    def get_initial(self):
        baseline, follow_up = self.waves()
        self._check_page_permission(follow_up)
        comparison = comparison_build(baseline=baseline, follow_up=follow_up)
        weighted = weighted_comparison_build(comparison)
        # The page shows the headline figures, so its words start from the headline's.
        headline = weighted.summary if weighted.weighted else []
        return {
            "title": f"You said, we did: {follow_up.area.name}",
            "what_changed": " ".join(headline + comparison.summary),
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
