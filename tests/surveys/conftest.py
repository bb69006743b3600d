import pytest
from django.core.cache import cache

from .factories import SurveyWaveFactory, survey_page_create


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def survey(db):
    return survey_page_create()


@pytest.fixture
def wave(survey):
    return SurveyWaveFactory(survey=survey, slug="eastfield-before")
