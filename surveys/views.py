"""The resident's side of a survey wave: the form, the thank-you and the polite refusals."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from signpost.public_forms import rate_limited

from .forms import SurveyForm
from .models import ResponseCode, SurveyWave
from .selectors import response_code_problem
from .services import CodeError, code_normalise, response_submit


def _wave_or_none(slug):
    return SurveyWave.objects.select_related("survey", "area").filter(slug=slug).first()


def _unavailable(request, wave, *, status):
    return render(
        request,
        "surveys/wave_unavailable.html",
        {"wave": wave, "today": timezone.localdate()},
        status=status,
    )


def _code_step(request, wave, *, code="", error="", status=200):
    """The first step of a wave that takes household codes: the code is checked before
    the resident answers anything."""
    return render(
        request,
        "surveys/wave_code.html",
        {"wave": wave, "page": wave.survey, "code": code, "error": error},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def wave_survey(request, slug):
    wave = _wave_or_none(slug)
    if wave is None or not wave.survey.live:
        return _unavailable(request, None, status=404)
    if not wave.is_open():
        return _unavailable(request, wave, status=200)
    questions = wave.survey.get_questions()
    # The code comes from the leaflet's link, from the code step, or (after a mistake on
    # the form) from the form itself, which carries it in a hidden field.
    typed = request.POST.get("code", "") if request.method == "POST" else ""
    typed = typed or request.GET.get("code", "")
    code = code_normalise(typed)

    if request.method == "GET" and (code or wave.requires_code):
        if not code:
            return _code_step(request, wave)
        limit, period = settings.SURVEYS_SUBMIT_RATE_LIMIT
        problem = response_code_problem(wave=wave, code=code)
        if problem and rate_limited(
            request, scope="survey-code", limit=limit, period_seconds=period
        ):
            problem = (
                "We have had a lot of codes from your connection in the last hour. "
                "Please try again later."
            )
        if problem:
            return _code_step(request, wave, code=typed, error=problem, status=200)

    status = 200
    notice = ""
    if request.method == "POST":
        form = SurveyForm(request.POST, questions=questions, code_required=wave.requires_code)
        limit, period = settings.SURVEYS_SUBMIT_RATE_LIMIT
        if rate_limited(request, scope="survey", limit=limit, period_seconds=period):
            notice = (
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
                    wave=wave, answers=form.answers(), code=form.cleaned_data.get("code", "")
                )
            except CodeError as error:
                form.add_error("code", str(error))
            else:
                return redirect("surveys:thanks", slug=wave.slug)
    else:
        form = SurveyForm(
            initial={"code": code}, questions=questions, code_required=wave.requires_code
        )
    return render(
        request,
        "surveys/wave_form.html",
        {
            "wave": wave,
            "page": wave.survey,
            "form": form,
            "code": code,
            "code_display": ResponseCode(code=code).display if code else "",
            "code_accepted": bool(code) and not form.errors.get("code"),
            "notice": notice,
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
        {"wave": wave, "page": wave.survey, "today": timezone.localdate()},
    )
