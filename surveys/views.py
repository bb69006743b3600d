"""The resident's side of a survey wave: the form, the thank-you and the polite refusals."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from signpost.public_forms import rate_limited

from .forms import SurveyForm
from .models import ResponseCode, SurveyWave
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


@require_http_methods(["GET", "POST"])
def wave_survey(request, slug):
    wave = _wave_or_none(slug)
    if wave is None or not wave.survey.live:
        return _unavailable(request, None, status=404)
    if not wave.is_open():
        return _unavailable(request, wave, status=200)
    questions = wave.survey.get_questions()
    code_from_link = code_normalise(request.GET.get("code", ""))
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
            initial={"code": code_from_link}, questions=questions, code_required=wave.requires_code
        )
        if code_from_link:
            used = (
                ResponseCode.objects.filter(wave=wave, code=code_from_link)
                .values_list("used_on", flat=True)
                .first()
            )
            if used:
                notice = (
                    "The code on this leaflet has already been used, so the survey has been "
                    "answered for this household. Thank you."
                )
    return render(
        request,
        "surveys/wave_form.html",
        {
            "wave": wave,
            "page": wave.survey,
            "form": form,
            "code_from_link": bool(code_from_link) and not form.errors.get("code"),
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
