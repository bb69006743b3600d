"""A resident answering a survey wave through the public form, and every bad input."""

import datetime
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client

from surveys.models import Answer, PendingResponse, Response, ResponseCode
from surveys.services import response_codes_issue

from .conftest import responses_flush_all

pytestmark = pytest.mark.django_db

GOOD = {
    "q_safe_after_dark": "fairly_safe",
    "q_drugs_problem": "very_big",
    "q_seen_changes": ["less_dealing", "cleaner"],
    "q_one_thing": "More lighting on Larch Close.",
    "q_how_heard": "leaflet",
}
RESIDENT_ADDRESS = "203.0.113.77"


def post(client, wave, data, query=""):
    return client.post(wave.public_path + query, data, REMOTE_ADDR=RESIDENT_ADDRESS)


def test_the_form_is_accessible_and_within_its_query_budget(
    client, wave, django_assert_max_num_queries
):
    client.get(wave.public_path)
    with django_assert_max_num_queries(8):
        response = client.get(wave.public_path)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<fieldset") == 4 and html.count("<legend>") == 4
    assert "How safe do you feel walking alone in this area after dark?" in html
    assert '<label for="id_q_safe_after_dark_1">Fairly safe</label>' in html
    assert '<label for="id_q_one_thing">' in html
    assert "csrfmiddlewaretoken" in html
    assert 'class="honeypot" aria-hidden="true"' in html
    # No inline script: only the site's own file that moves a leaflet's code into a POST.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/surveys/household-code.js">'
    ]


def test_a_complete_answer_is_stored_by_question_key_and_choice(client, wave):
    response = post(client, wave, GOOD)
    assert (
        response.status_code == 302 and response["Location"] == "/survey/eastfield-before/thanks/"
    )
    assert PendingResponse.objects.get().wave == wave
    assert not Response.objects.exists()
    assert responses_flush_all() == 1
    assert Response.objects.get().wave == wave and not PendingResponse.objects.exists()
    rows = set(Answer.objects.values_list("question_key", "choice", "text"))
    assert rows == {
        ("safe_after_dark", "fairly_safe", ""),
        ("drugs_problem", "very_big", ""),
        ("seen_changes", "less_dealing", ""),
        ("seen_changes", "cleaner", ""),
        ("one_thing", "", "More lighting on Larch Close."),
        ("how_heard", "leaflet", ""),
    }
    thanks = client.get(response["Location"])
    assert "Thank you" in thanks.content.decode()


def test_nothing_identifying_is_stored_with_a_response(client, wave, admin_client):
    post(client, wave, GOOD)
    for model in apps.get_app_config("surveys").get_models():
        names = {f.name for f in model._meta.get_fields()}
        if model in (Response, Answer):
            assert not names & {"ip", "ip_address", "user", "email", "created_at", "submitted_at"}
            assert all(
                f.get_internal_type() != "DateTimeField" for f in model._meta.concrete_fields
            )
    with connection.cursor() as cursor:
        for model in (Response, Answer, ResponseCode):
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")  # noqa: S608
            dump = repr(cursor.fetchall())
            assert RESIDENT_ADDRESS not in dump


def test_free_text_is_stripped_of_html(client, wave):
    data = dict(
        GOOD, q_one_thing='<script>alert(1)</script><b>Fix</b> the   <a href="x">lights</a>'
    )
    post(client, wave, data)
    responses_flush_all()
    assert Answer.objects.get(question_key="one_thing").text == "alert(1)Fix the lights"


def test_oversized_free_text_is_refused_and_kept_for_the_resident_to_shorten(client, wave):
    long_text = "Lights. " * 60
    response = post(client, wave, dict(GOOD, q_one_thing=long_text))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Please keep this to 300 characters; it has 479." in html
    assert "Lights. Lights." in html  # still in the textarea
    assert not PendingResponse.objects.exists()


def test_missing_and_forged_answers_are_listed_in_an_error_summary(client, wave):
    data = dict(GOOD, q_safe_after_dark="extremely_safe", q_seen_changes=["cleaner", "bribes"])
    del data["q_drugs_problem"]
    response = post(client, wave, data)
    html = response.content.decode()
    assert "There is a problem with your answers" in html
    assert 'href="#id_q_safe_after_dark_0">Choose one of the answers shown.</a>' in html
    assert 'href="#id_q_drugs_problem_0">Choose an answer to' in html
    assert 'href="#id_q_seen_changes_0">' in html
    assert "<title>Error:" in html
    # What was chosen is still filled in.
    assert 'value="leaflet" id="id_q_how_heard_0" checked' in html
    assert 'value="cleaner" id="id_q_seen_changes_2" checked' in html
    assert not PendingResponse.objects.exists() and not Answer.objects.exists()


def arrive(client, wave, code: str):
    """What a phone does with a leaflet's link, ``…/survey/<slug>/#CODE``: the page's
    script sends the code after "#" in a POST, and the survey comes back at its plain
    address with the code kept in a cookie for that address."""
    sent = client.post(
        wave.public_path, {"step": "code", "code": code}, REMOTE_ADDR=RESIDENT_ADDRESS
    )
    assert sent.status_code == 302 and sent["Location"] == wave.public_path
    return client.get(sent["Location"], REMOTE_ADDR=RESIDENT_ADDRESS)


def test_a_code_never_stays_in_an_address(client, wave):
    [code] = response_codes_issue(wave=wave, count=1, print_run=7)
    assert wave.get_public_url(code=code).endswith(f"{wave.public_path}#{code.code}")
    # A code typed into an address (or from a leaflet printed before) is moved out of it.
    typed = client.get(f"{wave.public_path}?code={code.display}")
    assert typed.status_code == 302 and typed["Location"] == wave.public_path
    cookie = typed.cookies["signpost_household_code"]
    assert cookie["path"] == wave.public_path and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert code.code not in typed["Location"]
    form = client.get(typed["Location"]).content.decode()
    assert _hidden_code(form) == code.code and "q_safe_after_dark" in form
    # Sent: the cookie goes with the answers.
    sent = post(client, wave, dict(GOOD, code=code.code))
    assert sent.status_code == 302 and sent.cookies["signpost_household_code"].value == ""
    # A cookie signed for another survey, or forged, carries no code.
    client.cookies["signpost_household_code"] = code.code
    assert 'name="code"' in client.get(wave.public_path).content.decode()


def test_a_household_code_works_once(client, wave):
    [code] = response_codes_issue(wave=wave, count=1)
    first = post(client, wave, dict(GOOD, code=code.display.lower()), query=f"?code={code.code}")
    assert first.status_code == 302
    code.refresh_from_db()
    assert code.used

    again = arrive(client, wave, code.code)
    assert "already been used" in again.content.decode()
    second = post(client, wave, dict(GOOD, code=code.code))
    assert second.status_code == 200
    assert "This code has already been used" in second.content.decode()
    assert PendingResponse.objects.count() == 1


def test_a_forged_code_or_one_for_another_wave_is_refused(client, wave):
    from .factories import SurveyWaveFactory

    other = SurveyWaveFactory(survey=wave.survey, slug="other-area")
    [code] = response_codes_issue(wave=other, count=1)
    for forged in ("ZZZZ-ZZZZ", code.code, "ABC"):
        response = post(client, wave, dict(GOOD, code=forged))
        assert response.status_code == 200
        assert "check it against your leaflet" in response.content.decode()
    assert not PendingResponse.objects.exists()
    code.refresh_from_db()
    assert not code.used


def test_a_wave_that_requires_codes_asks_for_one(client, wave):
    wave.requires_code = True
    wave.save()
    html = post(client, wave, GOOD).content.decode()
    assert "Enter the code printed on your leaflet." in html
    assert 'href="#id_code">' in html
    assert not PendingResponse.objects.exists()


def test_a_closed_or_unknown_wave_is_a_polite_page_and_stores_nothing(client, wave):
    wave.opens_on = datetime.date.today() - datetime.timedelta(days=60)
    wave.closes_on = datetime.date.today() - datetime.timedelta(days=1)
    wave.save()
    response = post(client, wave, GOOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "not open at the moment" in html and "It closed on" in html
    assert '<form method="post"' not in html
    unknown = client.get("/survey/no-such-wave/")
    assert unknown.status_code == 404
    assert "We could not find that survey" in unknown.content.decode()
    assert not PendingResponse.objects.exists()


def test_a_flood_from_one_address_is_slowed_and_the_answers_kept_on_the_page(
    client, wave, settings
):
    settings.SURVEYS_SUBMIT_RATE_LIMIT = (3, 3600)
    for _ in range(3):
        assert post(client, wave, GOOD).status_code == 302
    response = post(client, wave, dict(GOOD, q_one_thing="Fourth try"))
    assert response.status_code == 429
    assert "try sending them again later" in response.content.decode()
    assert "Fourth try" in response.content.decode()
    assert PendingResponse.objects.count() == 3
    # Another household on another connection is not affected.
    other = client.post(wave.public_path, GOOD, REMOTE_ADDR="198.51.100.4")
    assert other.status_code == 302


def test_a_bot_filling_the_honeypot_is_thanked_but_not_counted(client, wave):
    response = post(client, wave, dict(GOOD, website="http://spam.example"))
    assert response.status_code == 302
    assert not PendingResponse.objects.exists()


def test_a_post_without_the_csrf_token_is_refused(wave):
    client = Client(enforce_csrf_checks=True)
    response = client.post(wave.public_path, GOOD)
    assert response.status_code == 403
    assert not PendingResponse.objects.exists()


def test_a_huge_answer_is_refused_before_anything_sanitises_it(client, wave, monkeypatch):
    import surveys.forms

    def must_not_run(value, **kwargs):
        raise AssertionError("sanitised before its length was checked")

    monkeypatch.setattr(surveys.forms, "clean_text", must_not_run)
    response = post(client, wave, dict(GOOD, q_one_thing="<b>x</b>" * 112_500))
    assert response.status_code == 200
    assert "Please keep this to 300 characters; it has 900000." in response.content.decode()
    assert not PendingResponse.objects.exists()


def _hidden_code(html: str) -> str | None:
    import re

    found = re.search(r'<input type="hidden" name="code" value="([^"]*)"', html)
    return found.group(1) if found else None


def test_the_code_from_the_leaflet_survives_a_mistake_on_the_form(client, wave):
    [code] = response_codes_issue(wave=wave, count=1)
    page = arrive(client, wave, code.code)
    assert _hidden_code(page.content.decode()) == code.code
    # The resident forgets a required question; the form comes back with the code kept.
    mistake = post(
        client,
        wave,
        {k: v for k, v in GOOD.items() if k != "q_drugs_problem"} | {"code": code.code},
    )
    html = mistake.content.decode()
    assert mistake.status_code == 200 and "There is a problem" in html
    assert _hidden_code(html) == code.code
    # Sending again exactly what the page holds spends the code.
    fixed = post(client, wave, dict(GOOD, code=_hidden_code(html)))
    assert fixed.status_code == 302
    code.refresh_from_db()
    assert code.used


def test_a_wave_household_leaflets_point_at_requires_a_code(client, wave):
    from django.core.exceptions import ValidationError

    response_codes_issue(wave=wave, count=3, print_run=7)
    wave.refresh_from_db()
    assert wave.requires_code
    refused = post(client, wave, dict(GOOD, code=""))
    assert refused.status_code == 200 and not PendingResponse.objects.exists()
    wave.requires_code = False
    with pytest.raises(ValidationError) as caught:
        wave.full_clean()
    assert "Household leaflets point at this wave" in str(caught.value)


def test_an_unknown_or_used_code_is_refused_before_the_survey_starts(client, wave):
    [code] = response_codes_issue(wave=wave, count=1, print_run=7)
    # The typed short address leads to the survey without a code: it asks for one first.
    first_step = client.get(wave.public_path).content.decode()
    assert 'name="code"' in first_step and "q_safe_after_dark" not in first_step
    unknown = client.get(wave.public_path + "?code=ZZZZ-ZZZZ", follow=True).content.decode()
    assert "We do not recognise this code" in unknown and "q_safe_after_dark" not in unknown
    typed = arrive(client, wave, code.display.lower()).content.decode()
    assert "q_safe_after_dark" in typed and _hidden_code(typed) == code.code
    post(client, wave, dict(GOOD, code=code.code))
    used = arrive(client, wave, code.code).content.decode()
    assert "already been used" in used and "q_safe_after_dark" not in used


def test_the_stated_length_comes_from_the_questions(client, wave):
    html = client.get(wave.public_path).content.decode()
    assert wave.survey.length_text in html
    assert wave.survey.length_text == "This survey has 5 questions and takes about 3 minutes."
    assert "two minutes" not in html


@pytest.mark.parametrize("typed", ["كود٣٤٥", "暗号コード", "🏠🔑", "\u200b😀"])
def test_a_code_in_another_script_gets_a_form_error(client, wave, typed):
    """Letters no code has (Arabic, CJK, emoji) are an error on the code step, not a
    crash where the code would go into its cookie."""
    response = client.post(
        wave.public_path, {"step": "code", "code": typed}, REMOTE_ADDR=RESIDENT_ADDRESS
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem with the code" in html and "eight letters and numbers" in html
    assert "signpost_household_code" not in response.cookies


def test_a_code_typed_in_full_width_characters_is_the_code(client, wave):
    [code] = response_codes_issue(wave=wave, count=1)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in code.code)
    form = arrive(client, wave, full_width + "－" + "😀" * 40).content.decode()
    assert _hidden_code(form) == code.code and "q_safe_after_dark" in form
