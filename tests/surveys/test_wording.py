"""Sentences that follow from the figures: one rounding everywhere, direction words from
signs and sizes, Holm's level wherever a detectable change is quoted, no summary that
contradicts itself, and warnings when answers outnumber households."""

import csv
import io

import pytest
from django.urls import reverse

from surveys.blocks import Question, QuestionKind
from surveys.models import SurveyWave
from surveys.selectors import QuestionComparison, comparison_build, did_verdict
from surveys.statistics import ALPHA, change_between, difference_in_differences

from .factories import SurveyWaveFactory, responses_add

pytestmark = pytest.mark.django_db

SAFE = Question(
    "safe_after_dark",
    QuestionKind.STANDARD,
    "How safe?",
    "",
    True,
    (("safe", "Safe"), ("unsafe", "Unsafe")),
    frozenset({"safe"}),
)


def _did_row(operation, comparison):
    row = QuestionComparison(SAFE, None, None, None, "")
    row.did = difference_in_differences(operation, comparison)
    return row


def test_the_difference_in_differences_says_which_way_each_area_moved():
    # Both areas' shares fell; the operation area's fell less (−5 against −25 points).
    sentence = did_verdict(_did_row((600, 1000, 550, 1000), (600, 1000, 350, 1000)))
    assert "fell by 5.0 points in the operation area" in sentence
    assert "fell by 25.0 points in the comparison area" in sentence
    assert "ended 20.0 points higher" in sentence
    assert "moved more" not in sentence and "rose" not in sentence
    # The operation area's rose less than the comparison area's: lower, not "more".
    sentence = did_verdict(_did_row((300, 1000, 350, 1000), (300, 1000, 550, 1000)))
    assert "rose by 5.0 points in the operation area" in sentence
    assert "ended 20.0 points lower" in sentence
    for case in ((600, 1000, 550, 1000), (300, 1000, 350, 1000)):
        sentence = did_verdict(_did_row(case, case))
        assert "parallel trends" in sentence and "not proof" in sentence


def test_one_share_is_written_one_way_in_the_table_the_chart_the_sentence_and_the_download(
    client, analyst, survey
):
    baseline = SurveyWaveFactory(survey=survey, slug="b")
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    # 23 of 40 is 57.5%: written 58% everywhere (a float would make one of them 57%).
    responses_add(
        baseline, {"safe_after_dark": {"very_safe": 12, "fairly_safe": 11, "a_bit_unsafe": 17}}
    )
    responses_add(
        follow_up, {"safe_after_dark": {"very_safe": 30, "fairly_safe": 30, "a_bit_unsafe": 20}}
    )
    comparison = comparison_build(baseline=baseline, follow_up=follow_up)
    safe = next(q for q in comparison.questions if q.question.key == "safe_after_dark")
    assert safe.baseline.share_label == "58%"
    assert "from 58% to 75%" in safe.verdict
    client.force_login(analyst)
    url = reverse("surveys_compare", args=[baseline.pk, follow_up.pk])
    html = client.get(url).content.decode()
    assert '<td class="num">58% <small>' in html and "57%" not in html
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("surveys_compare_export", args=[baseline.pk, follow_up.pk, "csv"])
                )
                .getvalue()
                .decode()
            )
        )
    )
    share = next(r for r in rows if r[0] == "safe_after_dark" and r[2] == "positive share")
    assert share[rows[0].index("baseline_percent")] == "57.5"


def test_under_holm_the_detectable_change_is_the_one_at_holms_level():
    plain = change_between(120, 300, 130, 300)
    strict = change_between(120, 300, 130, 300, alpha=ALPHA / 3)
    assert strict.minimum_detectable > plain.minimum_detectable


def test_a_summary_never_calls_its_own_change_meaningless(survey):
    baseline = SurveyWaveFactory(survey=survey, slug="b")
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    # A big change on safety; drugs steady; a small sample.
    responses_add(
        baseline,
        {
            "safe_after_dark": {
                "very_safe": 10,
                "fairly_safe": 10,
                "a_bit_unsafe": 30,
                "very_unsafe": 30,
            },
            "drugs_problem": {
                "very_big": 20,
                "fairly_big": 20,
                "not_very_big": 20,
                "not_a_problem": 20,
            },
        },
    )
    responses_add(
        follow_up,
        {
            "safe_after_dark": {
                "very_safe": 30,
                "fairly_safe": 30,
                "a_bit_unsafe": 10,
                "very_unsafe": 10,
            },
            "drugs_problem": {
                "very_big": 20,
                "fairly_big": 20,
                "not_very_big": 20,
                "not_a_problem": 20,
            },
        },
    )
    comparison = comparison_build(baseline=baseline, follow_up=follow_up)
    summary = " ".join(comparison.summary)
    assert "show a change" in summary or "shows a change" in summary
    assert "For 1 of the 1 questions showing no change" in summary
    steady = next(q for q in comparison.questions if q.question.key == "drugs_problem")
    assert "level Holm's method tested it at" in steady.verdict


def test_more_answers_than_households_is_said(survey):
    baseline = SurveyWaveFactory(survey=survey, slug="b", area__household_count=60)
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    responses_add(baseline, {"safe_after_dark": {"very_safe": 40, "a_bit_unsafe": 30}})
    responses_add(follow_up, {"safe_after_dark": {"very_safe": 20, "a_bit_unsafe": 30}})
    summary = " ".join(comparison_build(baseline=baseline, follow_up=follow_up).summary)
    assert "(116.7% of 60 households)" in summary
    assert "more answers than the area has households" in summary
    assert "at least 60 households probably answered both" in summary


def _dont_know_waves(survey, baseline_counts, follow_up_counts):
    baseline = SurveyWaveFactory(survey=survey, slug="b")
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    responses_add(baseline, {"safe_after_dark": baseline_counts})
    responses_add(follow_up, {"safe_after_dark": follow_up_counts})
    comparison = comparison_build(baseline=baseline, follow_up=follow_up)
    return next(q for q in comparison.questions if q.question.key == "safe_after_dark")


def test_a_move_to_dont_know_is_not_read_as_a_fall(survey):
    # 200/420 → 160/420 with "don't know" 20 → 100: among those with a view, 50% both times.
    safe = _dont_know_waves(
        survey,
        {
            "very_safe": 100,
            "fairly_safe": 100,
            "a_bit_unsafe": 100,
            "very_unsafe": 100,
            "dont_know": 20,
        },
        {
            "very_safe": 80,
            "fairly_safe": 80,
            "a_bit_unsafe": 80,
            "very_unsafe": 80,
            "dont_know": 100,
        },
    )
    assert safe.among_those_with_a_view
    assert (safe.baseline.base, safe.follow_up.base) == (400, 320)
    assert safe.change.difference == 0
    assert "No change detectable" in safe.verdict and "went from 50% to 50%" in safe.verdict
    assert "‘Don't know’ went from 5% to 24% of those answering" in safe.verdict
    assert "bigger than chance" in safe.verdict


def test_a_hidden_dont_know_is_said_to_be_in_the_base(survey):
    # The baseline's "don't know" is 0, hidden: the share stays over everyone who
    # answered, and the verdict says so and points at the follow-up's 19%.
    safe = _dont_know_waves(
        survey,
        {"very_safe": 100, "fairly_safe": 100, "a_bit_unsafe": 100, "very_unsafe": 100},
        {
            "very_safe": 80,
            "fairly_safe": 80,
            "a_bit_unsafe": 80,
            "very_unsafe": 80,
            "dont_know": 80,
        },
    )
    assert not safe.among_those_with_a_view
    assert "counted in the share's base" in safe.verdict
    assert "in the follow-up 20% of those answering said it" in safe.verdict
