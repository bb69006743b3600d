"""Building a survey in the Wagtail editor: standard questions in one click, fixed keys
that survive rewording, and a "you said, we did" page made from a comparison."""

import pytest
from django.urls import reverse
from signpost.models import HomePage
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from surveys.models import SurveyPage, SurveyWave, YouSaidWeDidPage
from surveys.selectors import comparison_build

from .factories import SurveyWaveFactory, responses_add

pytestmark = pytest.mark.django_db


def survey_form(title, questions, **extra):
    return nested_form_data(
        {
            "title": title,
            "slug": extra.pop("slug", "residents-survey"),
            "introduction": "It is anonymous.",
            "questions": streamfield(questions),
            "thank_you_text": rich_text("<p>Thank you.</p>"),
            "closed_text": "Closed.",
            **extra,
        }
    )


LIKERT = {
    "key": "parks_safe",
    "text": "The park feels safe in the daytime.",
    "help_text": "",
    "required": "on",
    "scale": "agree",
}


def test_analyst_builds_a_survey_from_the_question_bank_in_the_admin(client, analyst):
    home = HomePage.objects.get()
    client.force_login(analyst)
    add_url = reverse("wagtailadmin_pages:add", args=("surveys", "surveypage", home.pk))
    assert client.get(add_url).status_code == 200
    data = survey_form(
        "Canal Quarter survey",
        [("standard", {"item": "safe_after_dark", "required": "on"}), ("likert", LIKERT)],
    )
    response = client.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = SurveyPage.objects.get(title="Canal Quarter survey").get_latest_revision_as_object()
    first, second = page.get_questions()
    assert first.key == "safe_after_dark"
    assert first.text == "How safe do you feel walking alone in this area after dark?"
    assert [v for v, _ in first.options][:2] == ["very_safe", "fairly_safe"]
    assert first.positive == {"very_safe", "fairly_safe"}
    assert second.key == "parks_safe" and second.positive == {"strongly_agree", "agree"}


def test_two_questions_with_one_key_are_refused(client, superuser):
    home = HomePage.objects.get()
    client.force_login(superuser)
    add_url = reverse("wagtailadmin_pages:add", args=("surveys", "surveypage", home.pk))
    data = survey_form(
        "Clash",
        [("likert", LIKERT), ("likert", dict(LIKERT, text="Another wording"))],
        **{"action-publish": "publish"},
    )
    response = client.post(add_url, data)
    assert response.status_code == 200
    assert "used twice: parks_safe" in response.content.decode()
    assert not SurveyPage.objects.filter(title="Clash").exists()
    bad_key = survey_form("Bad key", [("likert", dict(LIKERT, key="Park Safety!"))])
    response = client.post(add_url, bad_key)
    assert "Use lower-case letters" in response.content.decode()


def test_rewording_a_question_keeps_its_answers_comparable(client, superuser):
    home = HomePage.objects.get()
    client.force_login(superuser)
    add_url = reverse("wagtailadmin_pages:add", args=("surveys", "surveypage", home.pk))
    client.post(add_url, survey_form("Parks", [("likert", LIKERT)], **{"action-publish": "p"}))
    survey = SurveyPage.objects.get(title="Parks")
    baseline = SurveyWaveFactory(survey=survey, slug="parks-before")
    responses_add(baseline, {"parks_safe": {"agree": 60, "disagree": 140}})

    reworded = dict(LIKERT, text="During the day, the park feels safe to me.")
    edit_url = reverse("wagtailadmin_pages:edit", args=(survey.pk,))
    response = client.post(
        edit_url,
        survey_form("Parks", [("likert", reworded)], slug="parks", **{"action-publish": "p"}),
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    follow_up = SurveyWaveFactory(
        survey=survey, slug="parks-after", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    responses_add(follow_up, {"parks_safe": {"agree": 110, "disagree": 90}})

    html = client.get(follow_up.public_path).content.decode()
    assert "During the day, the park feels safe to me." in html
    assert 'name="q_parks_safe"' in html
    [row] = comparison_build(baseline=baseline, follow_up=follow_up).questions
    assert row.question.text == "During the day, the park feels safe to me."
    assert (row.baseline.positive, row.follow_up.positive) == (60, 110)


def test_analyst_publishes_you_said_we_did_with_suppression_kept(client, analyst, superuser):
    from .factories import survey_page_create

    survey = survey_page_create()
    baseline = SurveyWaveFactory(survey=survey, slug="b")
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    responses_add(
        baseline,
        {
            "safe_after_dark": {"very_safe": 50, "very_unsafe": 150},
            "drugs_problem": {"not_a_problem": 4, "very_big": 196},
        },
    )
    responses_add(
        follow_up,
        {
            "safe_after_dark": {"very_safe": 90, "very_unsafe": 110},
            "drugs_problem": {"not_a_problem": 30, "very_big": 170},
        },
    )
    client.force_login(analyst)
    url = reverse("surveys_compare_publish", args=(baseline.pk, follow_up.pk))
    form = client.get(url)
    assert "1 of 1 question compared shows a change" in form.content.decode()
    response = client.post(
        url,
        {
            "title": "You said, we did: Eastfield",
            "you_said": "Dealing near the <script>x</script>shops worried you.",
            "we_did": "<p>Police closed two addresses.</p>",
            "what_changed": "More people feel safe after dark than before.",
        },
    )
    page = YouSaidWeDidPage.objects.get()
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=(page.pk,))
    assert not page.live and page.get_parent().specific == survey
    assert "<script>" not in page.you_said
    safe, problem = page.results
    assert (safe["baseline"], safe["follow_up"]) == (25, 45)
    assert problem["baseline"] is None  # 4 positive answers: too few to show
    assert problem["verdict"] == "Too few answers in one of the waves to compare."

    # Analysts cannot publish; a sign-off by someone who can shows it to residents.
    page.save_revision(user=superuser).publish()
    html = client.get(page.url).content.decode()
    assert "Police closed two addresses." in html
    assert "Too few answers to show" in html and "45%" in html
    assert ">4<" not in html
