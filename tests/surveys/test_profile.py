"""The "who answered" questions: fixed keys, "prefer not to say", never required, asked
last with a sentence on why, stored only with the anonymous response."""

import csv
import io

from django.urls import reverse

from surveys.models import Answer, PendingResponse, Response, SurveyWave
from surveys.profile import PROFILE, WHY_WE_ASK
from surveys.services import response_submit

from .conftest import responses_flush_all
from .factories import STANDARD_QUESTIONS, SurveyWaveFactory, survey_page_create

PROFILE_FIRST = [
    {"type": "profile", "value": {"item": "profile_age"}},
    *STANDARD_QUESTIONS,
    {"type": "profile", "value": {"item": "profile_tenure"}},
]


def test_profile_questions_are_asked_last_optional_and_with_prefer_not_to_say(db):
    survey = survey_page_create(questions=PROFILE_FIRST)
    questions = survey.get_questions()
    assert [q.key for q in questions[-2:]] == ["profile_age", "profile_tenure"]
    assert not any(q.is_profile for q in questions[:-2])
    for q in questions[-2:]:
        assert not q.required
        assert q.options[-1] == ("prefer_not_to_say", "Prefer not to say")
        assert not q.has_positive


def test_the_form_explains_why_before_the_profile_questions(client, db):
    survey = survey_page_create(questions=PROFILE_FIRST)
    wave = SurveyWaveFactory(survey=survey)
    page = client.get(wave.public_path).content.decode()
    why = page.index(WHY_WE_ASK.split(".")[0])
    assert page.index("About you") < why < page.index(PROFILE["profile_age"].text)
    # Every other question comes before it.
    assert page.index("How safe do you feel") < why
    assert page.index("How did you hear about this survey") < why


def test_a_resident_may_skip_every_profile_question(client, db):
    survey = survey_page_create(questions=PROFILE_FIRST)
    wave = SurveyWaveFactory(survey=survey)
    response = client.post(
        wave.public_path,
        {"q_safe_after_dark": "very_safe", "q_drugs_problem": "very_big"},
    )
    assert response.status_code == 302
    # Like every answer, it waits unstored until a shuffled batch is written.
    assert not Response.objects.filter(wave=wave).exists()
    assert PendingResponse.objects.filter(wave=wave).count() == 1
    assert responses_flush_all() == 1
    assert Response.objects.filter(wave=wave).count() == 1
    assert not Answer.objects.filter(question_key__startswith="profile_").exists()


def test_profile_answers_are_stored_with_the_anonymous_response_only(client, db):
    survey = survey_page_create(questions=PROFILE_FIRST)
    wave = SurveyWaveFactory(survey=survey)
    client.post(
        wave.public_path,
        {
            "q_safe_after_dark": "very_safe",
            "q_drugs_problem": "very_big",
            "q_profile_age": "25_34",
            "q_profile_tenure": "prefer_not_to_say",
        },
    )
    # The profile answers pend with the rest, then go in the same shuffled batch: nothing
    # of them is stored apart from the anonymous response, nor before it.
    [pending] = PendingResponse.objects.filter(wave=wave)
    assert pending.answers["profile_age"] == ["25_34"]
    assert not Answer.objects.filter(wave=wave).exists()
    assert responses_flush_all() == 1
    [response] = Response.objects.filter(wave=wave)
    assert not PendingResponse.objects.filter(wave=wave).exists()
    assert dict(
        response.answers.filter(question_key__startswith="profile_").values_list(
            "question_key", "choice"
        )
    ) == {
        "profile_age": "25_34",
        "profile_tenure": "prefer_not_to_say",
    }
    # A made-up answer is refused like any other.
    bad = client.post(
        wave.public_path,
        {"q_safe_after_dark": "very_safe", "q_drugs_problem": "very_big", "q_profile_age": "99"},
    )
    assert bad.status_code == 200
    assert not PendingResponse.objects.filter(wave=wave).exists()
    assert Response.objects.filter(wave=wave).count() == 1


def test_the_raw_export_withholds_profile_answers_a_household_could_be_picked_out_by(
    client, analyst, db
):
    survey = survey_page_create(questions=PROFILE_FIRST)
    baseline = SurveyWaveFactory(survey=survey, slug="b")
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    common = {
        "safe_after_dark": ["very_safe"],
        "profile_age": ["65_plus"],
        "profile_tenure": ["owned"],
    }
    for _ in range(12):
        response_submit(wave=baseline, answers=common)
    # One resident with a rare combination; one who gave no profile answers.
    response_submit(
        wave=baseline,
        answers={
            "safe_after_dark": ["very_unsafe"],
            "profile_age": ["16_24"],
            "profile_tenure": ["private_rented"],
        },
    )
    response_submit(wave=baseline, answers={"safe_after_dark": ["fairly_safe"]})
    # The same combination as the common one, but only 3 times in the follow-up.
    for _ in range(3):
        response_submit(wave=follow_up, answers=common)
    responses_flush_all()
    client.force_login(analyst)
    url = reverse("surveys_compare_raw", args=[baseline.pk, follow_up.pk, "csv"])
    rows = list(csv.reader(io.StringIO(client.get(url).getvalue().decode())))
    header = rows[0]
    age, tenure = header.index("profile_age"), header.index("profile_tenure")
    safe = header.index("safe_after_dark")
    by_answer = {}
    for row in rows[1:]:
        by_answer.setdefault((row[0], row[safe]), []).append(row)
    assert all(
        r[age] == "65_plus" for r in by_answer[("Baseline: " + baseline.area.name, "very_safe")]
    )
    [rare] = by_answer[("Baseline: " + baseline.area.name, "very_unsafe")]
    assert rare[age].startswith("withheld") and rare[tenure].startswith("withheld")
    assert rare[header.index("profile_age (wording)")].startswith("withheld")
    [silent] = by_answer[("Baseline: " + baseline.area.name, "fairly_safe")]
    assert silent[age] == "" and silent[tenure] == ""
    # Common in the baseline, rare in the follow-up: withheld there.
    assert all(
        r[age].startswith("withheld")
        for r in by_answer[("Follow-up: " + baseline.area.name, "very_safe")]
    )
    assert not any("weight" in column for column in header)
