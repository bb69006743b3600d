"""The demo survey shows what the comparison is for: one real change, one non-change."""

import pytest
from django.core.management import call_command

from surveys.models import Answer, Response, SurveyWave
from surveys.selectors import comparison_build

pytestmark = pytest.mark.django_db


def test_demo_survey_is_idempotent_and_shows_one_change_and_one_non_change():
    call_command("load_demo_data")
    counts = (Response.objects.count(), Answer.objects.count())
    call_command("load_demo_data")
    assert (Response.objects.count(), Answer.objects.count()) == counts
    baseline = SurveyWave.objects.get(slug="eastfield-before")
    follow_up = SurveyWave.objects.get(slug="eastfield-after")
    assert baseline.responses.count() == 420 and follow_up.responses.count() == 380
    assert follow_up.is_open() and not baseline.is_open()
    rows = {
        q.question.key: q
        for q in comparison_build(baseline=baseline, follow_up=follow_up).questions
    }
    assert rows["safe_after_dark"].change.significant
    assert rows["safe_after_dark"].change.difference > 0
    assert not rows["drugs_problem"].change.significant
