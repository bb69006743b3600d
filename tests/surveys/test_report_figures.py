"""The survey figures that progress reports and the dashboard ask the surveys app for:
the waves open in the days asked about with their responses, small counts suppressed as
on the comparison page, and the comparison itself with its caveats."""

import datetime

import pytest
from django.utils import timezone

from surveys.models import Response, SurveyWave
from surveys.selectors import (
    comparison_build,
    comparison_snapshot,
    response_count_shown,
    survey_comparisons,
    survey_section,
    survey_waves_open,
)
from surveys.services import wave_results_publish

from .factories import SurveyWaveFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def _responses(wave, count: int, published_on: datetime.date):
    """Store ``count`` more responses, then publish the wave's results on that day."""
    Response.objects.bulk_create([Response(wave=wave) for _ in range(count)])
    wave_results_publish(wave=wave, on=published_on)


@pytest.fixture
def open_waves(survey, today):
    """Eastfield, open since before the period: 10 responses published before it and 22
    by yesterday; Riverside, closing today with 4, too few to publish; Northgate, closed
    long before."""
    eastfield = SurveyWaveFactory(
        survey=survey, slug="eastfield", opens_on=today - 40 * DAY, closes_on=today + 5 * DAY
    )
    _responses(eastfield, 10, today - 35 * DAY)
    _responses(eastfield, 12, today - DAY)
    riverside = SurveyWaveFactory(
        survey=survey, slug="riverside", opens_on=today - 10 * DAY, closes_on=today
    )
    _responses(riverside, 4, today)
    northgate = SurveyWaveFactory(
        survey=survey, slug="northgate", opens_on=today - 90 * DAY, closes_on=today - 60 * DAY
    )
    _responses(northgate, 30, today - 70 * DAY)
    return eastfield, riverside


def test_waves_open_in_the_days_asked_about_with_their_responses(
    open_waves, today, django_assert_num_queries
):
    eastfield, riverside = open_waves
    # One query for the waves, one to find follow-ups to compare (there are none).
    with django_assert_num_queries(2):
        figures = survey_section(start=today - 29 * DAY, end=today, today=today)

    rows = {row["wave_id"]: row for row in figures["waves"]}
    assert list(rows) == [eastfield.pk, riverside.pk]  # Northgate closed before the period
    assert rows[eastfield.pk] == {
        "wave_id": eastfield.pk,
        "survey": eastfield.survey.title,
        "area": eastfield.area.name,
        "kind": "Baseline",
        "opens_on": (today - 40 * DAY).isoformat(),
        "closes_on": (today + 5 * DAY).isoformat(),
        "open_now": True,
        "responses_in_period": 12,
        "responses_total": 22,
    }
    # Four responses are fewer than the threshold of ten: never published, not printed.
    assert (rows[riverside.pk]["responses_in_period"], rows[riverside.pk]["responses_total"]) == (
        None,
        None,
    )
    assert figures["open_now"] == 2
    assert figures["responses_in_period"] == 12
    assert figures["comparisons"] == []


def test_a_wave_open_today_is_listed_for_the_dashboard_with_its_responses(open_waves, today):
    eastfield, riverside = open_waves
    waves = list(survey_waves_open(today))
    assert [(w.pk, w.responses_total) for w in waves] == [(riverside.pk, 0), (eastfield.pk, 22)]
    assert list(survey_waves_open(today + DAY)) == [eastfield]


def test_fewer_responses_than_the_threshold_are_not_printed(settings):
    settings.SURVEYS_SUPPRESSION_THRESHOLD = 10
    assert [response_count_shown(n) for n in (0, 9, 10, 250)] == [None, None, 10, 250]


def test_the_comparison_is_the_survey_apps_own_with_its_caveats(
    waves, today, django_assert_max_num_queries
):
    baseline, follow_up = waves
    # Two queries here and three for the comparison.
    with django_assert_max_num_queries(5):
        [shown] = survey_comparisons(start=follow_up.opens_on, end=today)

    expected = comparison_build(baseline=baseline, follow_up=follow_up)
    assert shown["baseline"] == str(baseline) and shown["follow_up"] == str(follow_up)
    assert shown["summary"] == expected.summary
    assert (shown["baseline_responses"], shown["follow_up_responses"]) == (300, 300)
    # The unweighted snapshot, with the weighted figures beside it (none here: the area
    # has no population margins, so the unweighted figures are the headline).
    assert [
        {k: v for k, v in q.items() if k != "headline" and not k.startswith("weighted_")}
        for q in shown["questions"]
    ] == comparison_snapshot(expected)
    assert shown["headline"] == "unweighted"
    assert "has no population margins yet" in shown["headline_reason"]
    verdicts = [q["verdict"] for q in shown["questions"]]
    assert any("not proof" in v for v in verdicts) and any("No change" in v for v in verdicts)
    # Every verdict says what it cannot show: a change is not proof, no change is not none.
    for verdict in verdicts:
        assert "not proof that the operation caused it" in verdict or verdict.startswith(
            "No change detectable at this sample size"
        ), verdict
    assert "<svg" in shown["chart"] and "confidence intervals" in shown["chart"]
    # The report's survey section carries the same comparison.
    section = survey_section(start=follow_up.opens_on, end=today, today=today)
    assert section["comparisons"][0]["summary"] == shown["summary"]


def test_a_follow_up_without_an_earlier_baseline_is_not_compared(waves, today):
    baseline, follow_up = waves
    SurveyWave.objects.filter(pk=baseline.pk).update(opens_on=follow_up.opens_on + DAY)
    assert survey_comparisons(start=follow_up.opens_on, end=today) == []


def test_no_more_comparisons_than_the_limit(waves, survey, today):
    baseline, follow_up = waves
    SurveyWaveFactory(
        survey=survey, slug="after-again", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    assert len(survey_comparisons(start=follow_up.opens_on, end=today)) == 2
    assert len(survey_comparisons(start=follow_up.opens_on, end=today, limit=1)) == 1
