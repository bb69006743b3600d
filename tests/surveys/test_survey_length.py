"""One source for what residents read about a survey: its length is worked out from its
questions and printed the same way everywhere; free text never states it; each area's
residents are invited to the survey by their own area's name; the thank-you page thanks
once and offers the area's email updates."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from signpost.wording import stated_length

from surveys.models import SurveyPage, SurveyWave, survey_length_text, survey_minutes
from tests.factories import AreaFactory

from .factories import STANDARD_QUESTIONS, SurveyWaveFactory, survey_page_create

pytestmark = pytest.mark.django_db


def test_the_length_is_worked_out_from_the_questions(survey):
    questions = survey.get_questions()
    assert survey.estimated_minutes == survey_minutes(questions) == 3
    assert survey.length_text == survey_length_text(questions)
    assert (
        survey_length_text(questions[:1]) == "This survey has 1 question and takes about 1 minute."
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("It takes two minutes and is anonymous.", "two minutes"),
        ("Five questions, 3 mins, anonymous.", "3 mins"),
        ("A few minutes of your time.", "few minutes"),
        ("It is anonymous.", ""),
        ("Minutes of the last forum meeting are online.", ""),
    ],
)
def test_stated_lengths_are_found_in_free_text(text, found):
    assert stated_length(text) == found


def test_the_thank_you_page_thanks_once_and_offers_the_area_s_updates(client, wave):
    html = client.get(reverse("surveys:thanks", args=[wave.slug])).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert len(re.findall(r"<h1\b", main)) == 1
    assert main.lower().count("thank you") == 1
    assert f'href="/newsletters/subscribe/?area={wave.area.slug}"' in main
    assert f"Sign up for {wave.area.name} updates" in main


def test_the_thank_you_text_left_empty_still_thanks_once(client, wave):
    survey = wave.survey
    survey.thank_you_text = ""
    survey.save_revision().publish()
    html = client.get(reverse("surveys:thanks", args=[wave.slug])).content.decode()
    assert html.lower().count("thank you") == 1


def _wave_form(wave_survey, area, slug):
    return {
        "survey": wave_survey.pk,
        "kind": SurveyWave.FOLLOW_UP,
        "area": area.pk,
        "operation": "",
        "slug": slug,
        "opens_on": "2026-11-01",
        "closes_on": "2026-11-30",
    }


def test_a_survey_named_after_one_area_cannot_run_in_another(client, analyst):
    eastfield = AreaFactory(name="Eastfield", slug="eastfield")
    northgate = AreaFactory(name="Northgate", slug="northgate")
    named = survey_page_create(title="Eastfield residents' survey")
    client.force_login(analyst)
    add = reverse("wagtailsnippets_surveys_surveywave:add")
    refused = client.post(add, _wave_form(named, northgate, "northgate-after"))
    assert refused.status_code == 200
    assert "is named after Eastfield" in refused.content.decode()
    assert not SurveyWave.objects.exists()
    # In its own area it runs; a title that fits every area runs anywhere.
    assert client.post(add, _wave_form(named, eastfield, "eastfield-after")).status_code == 302
    neutral = survey_page_create(title="Harbridge residents' survey")
    assert client.post(add, _wave_form(neutral, northgate, "northgate-2")).status_code == 302


def test_a_survey_running_in_several_areas_cannot_be_retitled_after_one():
    """Every way a page is saved (the editor, copy, revert, the API) cleans it first."""
    survey = survey_page_create(title="Harbridge residents' survey")
    SurveyWaveFactory(survey=survey, area=AreaFactory(name="Eastfield", slug="eastfield"))
    SurveyWaveFactory(survey=survey, area=AreaFactory(name="Northgate", slug="northgate"))
    survey.title = "Eastfield residents' survey"
    with pytest.raises(ValidationError) as refused:
        survey.save_revision()
    assert "The title names Eastfield" in str(refused.value)
    assert SurveyPage.objects.get(pk=survey.pk).title == "Harbridge residents' survey"


def test_an_introduction_stating_the_length_is_refused():
    survey = survey_page_create()
    survey.introduction = "It takes two minutes."
    with pytest.raises(ValidationError) as refused:
        survey.save_revision()
    assert "Leave out how long the survey takes" in str(refused.value)


def test_each_area_page_button_names_its_own_area(client):
    """The button on an area's page names that area's survey, not the survey's title."""
    from tests.neighbourhoods.factories import area_index_create, area_page_create

    survey = survey_page_create(title="Harbridge residents' survey", questions=STANDARD_QUESTIONS)
    index = area_index_create()
    for name in ("Eastfield", "Northgate"):
        area = AreaFactory(name=name, slug=name.lower())
        SurveyWaveFactory(survey=survey, area=area, slug=f"{area.slug}-after")
        page = area_page_create(area, index=index)
        html = client.get(page.url).content.decode()
        assert (
            f'<a class="button" href="/survey/{area.slug}-after/">Take the {name} survey</a>'
            in html
        )
        assert survey.length_text in html and "two minutes" not in html
