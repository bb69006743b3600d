import pytest
from django.core.cache import cache
from django.test import override_settings

from surveys.models import SurveyWave
from surveys.services import responses_flush

from .factories import SurveyWaveFactory, responses_add, survey_page_create


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def survey(db):
    return survey_page_create()


@pytest.fixture
def wave(survey):
    return SurveyWaveFactory(survey=survey, slug="eastfield-before")


@pytest.fixture
def waves(survey):
    """A baseline and a follow-up of 300 responses each in one area: one real change, one
    question steady."""
    baseline = SurveyWaveFactory(survey=survey, slug="before", kind=SurveyWave.BASELINE)
    follow_up = SurveyWaveFactory(
        survey=survey, slug="after", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    # Safe after dark: 120/300 → 190/300 positive, a real change.
    responses_add(
        baseline,
        {
            "safe_after_dark": {
                "very_safe": 40,
                "fairly_safe": 80,
                "a_bit_unsafe": 110,
                "very_unsafe": 66,
                "dont_know": 4,
            },
            "drugs_problem": {
                "very_big": 100,
                "fairly_big": 95,
                "not_very_big": 60,
                "not_a_problem": 45,
            },
            "how_heard": {"leaflet": 150, "sign": 60, "email": 7, "door_to_door": 50, "other": 33},
        },
    )
    responses_add(
        follow_up,
        {
            "safe_after_dark": {
                "very_safe": 70,
                "fairly_safe": 120,
                "a_bit_unsafe": 70,
                "very_unsafe": 40,
                "dont_know": 0,
            },
            "drugs_problem": {
                "very_big": 98,
                "fairly_big": 97,
                "not_very_big": 58,
                "not_a_problem": 47,
            },
            "how_heard": {"leaflet": 160, "sign": 70, "email": 20, "door_to_door": 30, "other": 20},
        },
    )
    return baseline, follow_up


def responses_flush_all() -> int:
    """Store every pending answer now, however few (as a closed wave's last batch is)."""
    with override_settings(SURVEYS_RESPONSE_BATCH_MIN=1):
        return responses_flush()
