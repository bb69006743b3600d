"""A resident answers the survey on a small phone using the keyboard alone."""

import pytest

from surveys.models import Answer, PendingResponse, Response

from .conftest import responses_flush_all
from .factories import SurveyWaveFactory, survey_page_create

pytestmark = pytest.mark.browser


def tab_to(page, script: str, limit: int = 60) -> None:
    """Press Tab until the focused element satisfies the JavaScript predicate ``script``
    (an expression over ``el``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {script}")


def test_resident_completes_the_survey_on_a_phone_with_the_keyboard_only(phone_page):
    survey = survey_page_create()
    wave = SurveyWaveFactory(survey=survey, slug="eastfield-now")
    page = phone_page
    page.goto(wave.public_path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # Sending nothing: the error summary takes focus and its first link leads to the question.
    tab_to(page, "el.type === 'submit' && el.textContent.includes('Send my answers')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".error-summary")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#id_q_safe_after_dark_0"
    page.keyboard.press("Enter")
    assert page.url.endswith("#id_q_safe_after_dark_0")

    tab_to(page, "el.name === 'q_safe_after_dark'")
    page.keyboard.press("Space")  # Very safe
    page.keyboard.press("ArrowDown")  # Fairly safe
    tab_to(page, "el.name === 'q_drugs_problem'")
    page.keyboard.press("Space")
    tab_to(page, "el.name === 'q_seen_changes' && el.value === 'cleaner'")
    page.keyboard.press("Space")
    tab_to(page, "el.name === 'q_one_thing'")
    page.keyboard.type("More lighting by the shops.")
    tab_to(page, "el.name === 'q_how_heard'")
    page.keyboard.press("Space")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    tab_to(page, "el.type === 'submit' && el.textContent.includes('Send my answers')")
    page.keyboard.press("Enter")
    page.wait_for_url("**/eastfield-now/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "We have your answers"
    assert page.get_by_role("link", name=f"Sign up for {wave.area.name} updates").is_visible()

    assert responses_flush_all() == 1
    response = Response.objects.get(wave=wave)
    answers = set(
        Answer.objects.filter(response=response).values_list("question_key", "choice", "text")
    )
    assert answers == {
        ("safe_after_dark", "fairly_safe", ""),
        ("drugs_problem", "very_big", ""),
        ("seen_changes", "cleaner", ""),
        ("one_thing", "", "More lighting by the shops."),
        ("how_heard", "leaflet", ""),
    }


def test_household_answers_from_a_leaflet_link_after_a_mistake(phone_page):
    from surveys.models import ResponseCode
    from surveys.services import response_codes_issue

    survey = survey_page_create()
    wave = SurveyWaveFactory(survey=survey, slug="eastfield-leaflet")
    [code] = response_codes_issue(wave=wave, count=1, print_run=99)
    page = phone_page
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    # The leaflet's link carries the code after "#": the page's script posts it and the
    # survey comes back at its plain address, the code kept for it.
    page.goto(wave.public_path + f"#{code.code}")
    page.wait_for_selector("form.survey-form")
    assert page.url.endswith(wave.public_path)
    assert code.display in page.inner_text("form.survey-form")
    # The resident answers one question, forgets the other required one and sends.
    page.check("#id_q_safe_after_dark_1")
    page.click("form.survey-form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert code.display in page.inner_text("form.survey-form")
    page.check("#id_q_drugs_problem_0")
    page.click("form.survey-form button[type=submit]")
    page.wait_for_url("**/eastfield-leaflet/thanks/")
    assert ResponseCode.objects.get(pk=code.pk).used
    assert PendingResponse.objects.filter(wave=wave).count() == 1
    # No address the browser asked for held the code.
    assert requested and not [url for url in requested if code.code in url]
    # The same leaflet again: refused before any question is shown.
    page.goto(wave.public_path + f"#{code.code}")
    page.wait_for_selector(".error-summary")
    assert "already been used" in page.inner_text("main")
    assert page.locator("input[name=q_safe_after_dark]").count() == 0
