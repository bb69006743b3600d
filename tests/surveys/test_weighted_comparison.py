"""Weighted figures beside the unweighted ones: a change in who answered is not a change
in views; warnings when the two disagree or the effective sample is small; suppression."""

import csv
import io
import json

import openpyxl
import pytest
from django.urls import reverse

from surveys.models import (
    Answer,
    PopulationCount,
    PopulationMargins,
    Response,
    SurveyWave,
    YouSaidWeDidPage,
)
from surveys.selectors import comparison_build, survey_comparisons
from surveys.services import wave_results_publish
from surveys.statistics import change_between, wilson_interval
from surveys.weighted.selectors import (
    UNWEIGHTED,
    WEIGHTED,
    wave_figures_live,
    weighted_comparison_build,
)
from surveys.weighted.waves import WaveFigures
from tests.factories import AreaFactory

from .factories import SurveyWaveFactory, survey_page_create

QUESTIONS = [
    {"type": "standard", "value": {"item": "safe_after_dark", "required": True}},
    {"type": "standard", "value": {"item": "drugs_problem", "required": True}},
    {"type": "profile", "value": {"item": "profile_age"}},
    {"type": "profile", "value": {"item": "profile_tenure"}},
]


def respondents_add(wave, groups, *, publish=True):
    """``groups``: (how many, {question key: answer}) for identical respondents, stored
    as a flush stores them, then the wave's results published (counts and weighting)."""
    responses = Response.objects.bulk_create(
        [Response(wave=wave) for n, _ in groups for _ in range(n)]
    )
    rows, at = [], 0
    for n, answers in groups:
        for response in responses[at : at + n]:
            rows += [
                Answer(response=response, wave=wave, question_key=k, choice=v)
                for k, v in answers.items()
            ]
        at += n
    Answer.objects.bulk_create(rows)
    if publish:
        wave_results_publish(wave=wave)


def margins_add(area, counts):
    margins = PopulationMargins.objects.create(area=area)
    PopulationCount.objects.bulk_create(
        PopulationCount(margins=margins, profile_key=key, category=category, count=count)
        for key, by_category in counts.items()
        for category, count in by_category.items()
    )


AGE_HALVES = {"profile_age": {"16_24": 2000, "65_plus": 2000}}


@pytest.fixture
def survey(db):
    return survey_page_create(questions=QUESTIONS)


def waves_of(survey, area=None, slug=""):
    baseline = SurveyWaveFactory(
        survey=survey, slug=f"{slug}before", **({"area": area} if area else {})
    )
    follow_up = SurveyWaveFactory(
        survey=survey, slug=f"{slug}after", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    return baseline, follow_up


def test_a_change_only_in_who_answered_is_not_a_change_once_weighted(survey):
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES)
    # Baseline answered mostly by older residents, the follow-up mostly by younger ones.
    respondents_add(
        baseline,
        [
            (70, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
            (30, {"profile_age": "16_24", "safe_after_dark": "very_unsafe"}),
            (90, {"profile_age": "65_plus", "safe_after_dark": "fairly_safe"}),
            (210, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
        ],
    )
    respondents_add(
        follow_up,
        [
            (210, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
            (90, {"profile_age": "16_24", "safe_after_dark": "very_unsafe"}),
            (30, {"profile_age": "65_plus", "safe_after_dark": "fairly_safe"}),
            (70, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
        ],
    )
    comparison = comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    weighted = weighted_comparison_build(comparison)
    [safe] = [q for q in weighted.questions if q.question.key == "safe_after_dark"]

    # Unweighted: 40% → 60%, a "change" far beyond chance.
    assert safe.row.change.difference == pytest.approx(0.20)
    assert safe.row.change.significant
    # Weighted to the area's half-and-half population: 50% in both, no change.
    assert safe.baseline.share == pytest.approx(0.5)
    assert safe.follow_up.share == pytest.approx(0.5)
    assert safe.change.difference == pytest.approx(0, abs=1e-9)
    assert not safe.change.significant
    assert safe.verdict.startswith("No change detectable")
    # The page is told the two disagree, and which is the headline and why.
    assert any("disagree on significance" in w for w in safe.warnings)
    assert weighted.headline == WEIGHTED
    assert "census population by age" in weighted.headline_reason
    assert weighted.summary == [
        "Weighted to the area (the headline), the question compared shows no change that "
        "this sample could detect."
    ]
    assert "1 of 1 question compared shows a change" in " ".join(comparison.summary)
    # Each wave: 400 answers weighing 2/3 (300 of them) and 2 (100), so the effective
    # sample size is 400² / (300 × 4/9 + 100 × 4) = 300 and the design effect 4/3.
    for wave in weighted.waves:
        assert wave.weighted
        assert wave.effective_sample_size == pytest.approx(300)
        assert wave.design_effect == pytest.approx(4 / 3)


def test_the_weighted_interval_uses_the_effective_sample_size(survey):
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES)
    for wave in (baseline, follow_up):
        respondents_add(
            wave,
            [
                (70, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
                (30, {"profile_age": "16_24", "safe_after_dark": "very_unsafe"}),
                (90, {"profile_age": "65_plus", "safe_after_dark": "fairly_safe"}),
                (210, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
            ],
        )
    weighted = weighted_comparison_build(
        comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    )
    [safe] = [q for q in weighted.questions if q.question.key == "safe_after_dark"]
    unweighted = safe.row.baseline
    # Wider than the unweighted interval of the same number of answers.
    assert safe.baseline.high - safe.baseline.low > unweighted.share_high - unweighted.share_low
    assert (safe.baseline.low, safe.baseline.high) == pytest.approx(wilson_interval(0.5 * 300, 300))


def test_without_margins_the_unweighted_figures_are_the_headline(survey):
    baseline, follow_up = waves_of(survey)
    for wave in (baseline, follow_up):
        respondents_add(
            wave,
            [
                (200, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
                (200, {"safe_after_dark": "very_unsafe"}),
            ],
        )
    weighted = weighted_comparison_build(
        comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    )
    assert weighted.headline == UNWEIGHTED
    assert "has no population margins yet" in weighted.headline_reason
    assert all(q.baseline is None and q.change is None for q in weighted.questions)


def test_a_small_effective_sample_is_warned_about(survey):
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES)
    for wave in (baseline, follow_up):
        respondents_add(
            wave,
            [
                (12, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
                (30, {"profile_age": "65_plus", "safe_after_dark": "fairly_safe"}),
                (60, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
            ],
        )
    weighted = weighted_comparison_build(
        comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    )
    assert weighted.waves[0].effective_sample_size < 100
    assert any("effective sample size is" in w and "below 100" in w for w in weighted.warnings)
    assert "wide: read them with care" in weighted.headline_reason


def test_a_weighted_share_is_shown_only_where_the_unweighted_one_is(survey):
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES)
    respondents_add(
        baseline,
        [
            (8, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
            (200, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
        ],
    )
    respondents_add(
        follow_up,
        [
            (70, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
            (30, {"profile_age": "16_24", "safe_after_dark": "very_unsafe"}),
            (30, {"profile_age": "65_plus", "safe_after_dark": "fairly_safe"}),
            (70, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
        ],
    )
    comparison = comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    weighted = weighted_comparison_build(comparison)
    [safe] = [q for q in weighted.questions if q.question.key == "safe_after_dark"]
    # Eight positive answers: the unweighted share is suppressed, so is the weighted one
    # (which, weighted to half-and-half, would be 50% and say nothing about the 8 — but
    # a share beside a hidden count is never published).
    assert safe.row.baseline.share is None
    assert safe.baseline is None
    assert safe.change is None
    assert safe.follow_up is not None


def test_skipped_profile_answers_are_reported(survey):
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES)
    for wave in (baseline, follow_up):
        respondents_add(
            wave,
            [
                (100, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
                (100, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
                (50, {"profile_age": "prefer_not_to_say", "safe_after_dark": "very_safe"}),
                (50, {"safe_after_dark": "very_unsafe"}),
            ],
        )
    weighted = weighted_comparison_build(
        comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    )
    assert weighted.waves[0].figures.skipped == {"profile_age": 100}
    assert any("33% did not say their age" in w for w in weighted.warnings)


def test_difference_in_differences_is_weighted_too(survey):
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES)
    other = AreaFactory(is_comparison_area=True)
    margins_add(other, AGE_HALVES)
    cb, cf = waves_of(survey, area=other, slug="c-")
    for wave, young, old in (
        (baseline, 100, 300),
        (follow_up, 300, 100),
        (cb, 200, 200),
        (cf, 200, 200),
    ):
        respondents_add(
            wave,
            [
                (young * 7 // 10, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
                (young * 3 // 10, {"profile_age": "16_24", "safe_after_dark": "very_unsafe"}),
                (old * 3 // 10, {"profile_age": "65_plus", "safe_after_dark": "fairly_safe"}),
                (old * 7 // 10, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
            ],
        )
    comparison = comparison_build(
        baseline=baseline,
        follow_up=follow_up,
        comparison_baseline=cb,
        comparison_follow_up=cf,
        live=True,
    )
    weighted = weighted_comparison_build(comparison)
    [safe] = [q for q in weighted.questions if q.question.key == "safe_after_dark"]
    assert safe.row.did.excludes_zero
    assert safe.did.difference == pytest.approx(0, abs=1e-9)
    assert not safe.did.excludes_zero
    assert any("difference in differences is bigger than chance" in w for w in safe.warnings)
    assert len(weighted.waves) == 4


def test_two_queries_however_many_responses(survey, django_assert_num_queries):
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES)
    for wave in (baseline, follow_up):
        respondents_add(
            wave,
            [
                (150, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
                (150, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
            ],
        )
    comparison = comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    with django_assert_num_queries(2):
        weighted_comparison_build(comparison)


TENURE_HALVES = {"profile_tenure": {"owned": 2000, "social_rented": 2000}}


def _mix_only(survey, *, tenure=True):
    """Only the mix of ages changes between the waves. With ``tenure``, the waves are
    raked on tenure too, whose answers (half owners in every group) already match the
    area's, so the weights are the age weights alone; raked on two questions that each
    set weights, the waves' weighting is published (``surveys.disclosure.weighting_exposes``),
    and raked on age alone it is in the analysts' live view only."""
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES | (TENURE_HALVES if tenure else {}))
    for wave, young, old in ((baseline, 100, 300), (follow_up, 300, 100)):
        groups = [
            (young * 7 // 10, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
            (young * 3 // 10, {"profile_age": "16_24", "safe_after_dark": "very_unsafe"}),
            (old * 3 // 10, {"profile_age": "65_plus", "safe_after_dark": "fairly_safe"}),
            (old * 7 // 10, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
        ]
        if tenure:
            groups = [
                (n // 2, answers | {"profile_tenure": home})
                for n, answers in groups
                for home in ("owned", "social_rented")
            ]
        respondents_add(wave, groups)
    return baseline, follow_up


def test_the_analysts_page_shows_both_says_which_is_the_headline_and_warns(client, analyst, survey):
    baseline, follow_up = _mix_only(survey)
    client.force_login(analyst)
    html = client.get(reverse("surveys_compare", args=[baseline.pk, follow_up.pk])).content.decode()
    assert 'data-headline="weighted"' in html
    assert "The weighted figures are the headline" in html
    assert "Weighted (headline)" in html
    # The page opens with the headline's plain summary, before the unweighted one.
    assert html.index("data-headline-summary") < html.index("1 of 1 question compared shows")
    assert "Weighted to the area (the headline), the question compared shows no change" in html
    # Each wave's effective sample size and design effect.
    assert html.count('data-figure="ess">300<') == 2
    assert html.count('data-figure="deff">1.33<') == 2
    # The unweighted change beside the weighted one, and the warning that they disagree.
    assert "+20.0" in html and "0.0" in html
    assert "Weighted and unweighted disagree on significance" in html


def test_exports_carry_both_labelled(client, partner_viewer, survey):
    baseline, follow_up = _mix_only(survey)
    client.force_login(partner_viewer)
    response = client.get(
        reverse("surveys_compare_export", args=[baseline.pk, follow_up.pk, "csv"])
    )
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    header = rows[0]
    by_label = {(r[0], r[2]): dict(zip(header, r, strict=True)) for r in rows[1:]}
    unweighted = by_label[("safe_after_dark", "positive share")]
    weighted = by_label[("safe_after_dark", "positive share (weighted)")]
    assert (unweighted["baseline_percent"], unweighted["follow_up_percent"]) == ("40.0", "60.0")
    assert (weighted["baseline_percent"], weighted["follow_up_percent"]) == ("50.0", "50.0")
    # The weighted base is the effective sample size, and no weighted count is given.
    assert weighted["baseline_base"] == "300.0" and weighted["baseline_count"] == ""
    assert weighted["change_points"] == "0.0"
    assert by_label[("", "headline")]["answer_key"] == "weighted"
    assert by_label[("", "effective sample size (weighted)")]["baseline_count"] == "300.0"
    assert by_label[("", "design effect (weighted)")]["follow_up_count"] == "1.333"
    xlsx = client.get(reverse("surveys_compare_export", args=[baseline.pk, follow_up.pk, "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.getvalue())).active
    labels = [row[2] for row in sheet.iter_rows(values_only=True)]
    assert "positive share (weighted)" in labels and "positive share" in labels


def test_who_may_not_read_results_sees_no_weighted_figures(client, neighbourhood_officer, survey):
    baseline, follow_up = _mix_only(survey)
    client.force_login(neighbourhood_officer)
    for url in (
        reverse("surveys_compare", args=[baseline.pk, follow_up.pk]),
        reverse("surveys_compare_export", args=[baseline.pk, follow_up.pk, "csv"]),
    ):
        assert client.get(url).status_code in (302, 403)


def test_a_weighted_share_that_would_let_a_reader_solve_a_small_cross_table_cell_is_withheld(
    survey,
):
    """With age the only question raked, a reader knows each age band's weight (census
    share ÷ sample share, both published), so the weighted share and the positive count are
    two equations in the positive counts per age band. Here they would show that exactly 4
    of the 40 young respondents feel safe."""
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES)
    mix = [
        (4, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
        (36, {"profile_age": "16_24", "safe_after_dark": "very_unsafe"}),
        (150, {"profile_age": "65_plus", "safe_after_dark": "fairly_safe"}),
        (210, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
    ]
    for wave in (baseline, follow_up):
        respondents_add(wave, mix)
    comparison = comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    [row] = [r for r in comparison.questions if r.question.key == "safe_after_dark"]
    assert row.baseline.share is not None  # 154 positive of 400: published
    # The reader's arithmetic, had the weighted share (50% × 4/40 + 50% × 150/360) been
    # published to the export's one decimal:
    young_weight, old_weight = 0.5 / (40 / 400), 0.5 / (360 / 400)
    published = round(100 * (young_weight * 4 + old_weight * 150) / 400, 1)
    solutions = [
        young
        for young in range(0, 41)
        if round(100 * (young_weight * young + old_weight * (154 - young)) / 400, 1) == published
    ]
    assert solutions == [4]
    weighted = weighted_comparison_build(comparison)
    [safe] = [q for q in weighted.questions if q.question.key == "safe_after_dark"]
    assert safe.baseline is None and safe.follow_up is None and safe.change is None
    # Raked on two questions, the weights depend on the joint profile answers, which are
    # never published, and the same answers give a weighted share.
    margins = PopulationMargins.objects.get(area=baseline.area)
    PopulationCount.objects.bulk_create(
        PopulationCount(margins=margins, profile_key="profile_tenure", category=c, count=n)
        for c, n in (("owned", 1500), ("social_rented", 1500), ("private_rented", 1000))
    )
    for wave in (baseline, follow_up):
        Answer.objects.bulk_create(
            Answer(response=r, wave=wave, question_key="profile_tenure", choice=tenure)
            for r, tenure in zip(
                wave.responses.order_by("pk"),
                ["owned", "social_rented", "private_rented", "owned"] * 100,
                strict=True,
            )
        )
    weighted = weighted_comparison_build(comparison)
    [safe] = [q for q in weighted.questions if q.question.key == "safe_after_dark"]
    assert weighted.waves[0].figures.margins == ("profile_age", "profile_tenure")
    assert safe.baseline is not None


def test_a_waves_weighting_kept_as_json_gives_the_same_comparison_without_reading_answers(
    survey, django_assert_num_queries
):
    baseline, follow_up = _mix_only(survey)
    comparison = comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    live = weighted_comparison_build(comparison)
    kept = {
        w.wave.pk: WaveFigures.from_json(json.loads(json.dumps(w.figures.as_json())))
        for w in live.waves
    }
    with django_assert_num_queries(0):
        again = weighted_comparison_build(comparison, figures=kept)
    assert [w.figures for w in again.waves] == [w.figures for w in live.waves]
    assert [(q.baseline, q.follow_up, q.change) for q in again.questions] == [
        (q.baseline, q.follow_up, q.change) for q in live.questions
    ]
    assert again.headline == live.headline and again.warnings == live.warnings


def test_you_said_we_did_publishes_the_headline_figures_with_both_kept(
    client, analyst, superuser, survey
):
    baseline, follow_up = _mix_only(survey)
    client.force_login(analyst)
    form = client.get(reverse("surveys_compare_publish", args=(baseline.pk, follow_up.pk)))
    assert (
        form.context["form"]
        .initial["what_changed"]
        .startswith("Weighted to the area (the headline), the question compared shows no change")
    )
    client.post(
        reverse("surveys_compare_publish", args=(baseline.pk, follow_up.pk)),
        {
            "title": "You said, we did: Eastfield",
            "you_said": "Feeling unsafe after dark.",
            "we_did": "<p>More patrols.</p>",
            "what_changed": "No change in how safe people feel, once weighted.",
        },
    )
    page = YouSaidWeDidPage.objects.get()
    [safe] = [r for r in page.results if r["key"] == "safe_after_dark"]
    assert (safe["baseline"], safe["follow_up"]) == (40, 60)
    assert (safe["weighted_baseline"], safe["weighted_follow_up"]) == (50, 50)
    assert safe["headline"] == "weighted"
    assert safe["weighted_verdict"].startswith("No change detectable")
    page.save_revision(user=superuser).publish()
    html = client.get(page.url).content.decode()
    assert "The figures are weighted" in html
    assert "<td>50%</td>" in html and "<td>40%</td>" not in html


def test_progress_reports_carry_the_weighted_figures_and_the_headline(
    survey, django_assert_max_num_queries
):
    baseline, follow_up = _mix_only(survey)
    # Two queries for the waves, three for the comparison, two for the weighting.
    with django_assert_max_num_queries(7):
        [shown] = survey_comparisons(start=follow_up.opens_on, end=follow_up.closes_on)
    assert shown["headline"] == WEIGHTED
    [safe] = [q for q in shown["questions"] if q["key"] == "safe_after_dark"]
    assert (safe["baseline"], safe["follow_up"]) == (40, 60)
    assert (safe["weighted_baseline"], safe["weighted_follow_up"]) == (50, 50)


def test_the_weighted_share_follows_the_unweighted_in_leaving_dont_know_out_of_its_base(survey):
    baseline, follow_up = waves_of(survey)
    margins_add(baseline.area, AGE_HALVES)
    for wave in (baseline, follow_up):
        respondents_add(
            wave,
            [
                (60, {"profile_age": "16_24", "safe_after_dark": "very_safe"}),
                (20, {"profile_age": "16_24", "safe_after_dark": "very_unsafe"}),
                (20, {"profile_age": "16_24", "safe_after_dark": "dont_know"}),
                (100, {"profile_age": "65_plus", "safe_after_dark": "fairly_safe"}),
                (100, {"profile_age": "65_plus", "safe_after_dark": "a_bit_unsafe"}),
            ],
        )
    comparison = comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    figures = weighted_comparison_build(comparison).waves[0].figures
    # Everyone who answered: young 60/100 and old 100/200, each half the area.
    assert figures.shares["safe_after_dark"].share == pytest.approx(0.5 * 0.6 + 0.5 * 0.5)
    # Among those with a view, the same weights: in the area, the young with a view are
    # 0.5 × 80%, 75% of them positive, the old 0.5 × 100%, half positive.
    with_a_view = (0.4 * 0.75 + 0.5 * 0.5) / 0.9
    assert figures.shares_with_a_view["safe_after_dark"].share == pytest.approx(with_a_view)
    [row] = [r for r in comparison.questions if r.question.key == "safe_after_dark"]
    # As the comparison does when "don't know" moves: the share is then among those with
    # a view, and the change in "don't know" reported beside it.
    row.dont_know = change_between(20, 300, 20, 300)
    [safe] = [
        q
        for q in weighted_comparison_build(comparison).questions
        if q.question.key == "safe_after_dark"
    ]
    assert safe.baseline.share == pytest.approx(with_a_view)


def test_published_results_never_carry_weights_a_reader_could_rebuild(survey):
    """In a published comparison (not the analysts' live view), a wave raked on one
    profile question is not weighted: comparing two publications of its weighted shares
    would give away the answers that arrived between them by profile answer."""
    baseline, follow_up = _mix_only(survey, tenure=False)
    comparison = comparison_build(baseline=baseline, follow_up=follow_up)
    weighted = weighted_comparison_build(comparison)
    assert weighted.headline == UNWEIGHTED
    assert "in the analysts' live view only" in weighted.headline_reason
    assert all(q.baseline is None and q.follow_up is None for q in weighted.questions)
    live = comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    assert weighted_comparison_build(live).headline == WEIGHTED


def test_one_wave_weighted_on_its_own_matches_its_place_in_a_comparison(
    survey, django_assert_num_queries
):
    baseline, follow_up = _mix_only(survey)
    in_comparison = weighted_comparison_build(
        comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    ).waves[0]
    with django_assert_num_queries(3):
        alone = wave_figures_live(baseline)
    assert alone == in_comparison.figures


def test_published_results_are_weighted_once_from_the_responses_they_count(survey):
    """Results published before the area had margins are weighted when the margins come
    (their respondents still being the stored ones); later changes to the margins wait
    for the next publication, so one set of respondents is never published two ways; a
    published comparison never moves with responses that are not yet published."""
    from surveys.models import WaveResults
    from surveys.services import wave_results_weigh

    baseline, follow_up = waves_of(survey)
    for wave, young, old in ((baseline, 100, 300), (follow_up, 300, 100)):
        respondents_add(
            wave,
            [
                (young, {"profile_age": "16_24", "profile_tenure": "owned"}),
                (old, {"profile_age": "65_plus", "profile_tenure": "social_rented"}),
            ],
        )
    weighted = weighted_comparison_build(comparison_build(baseline=baseline, follow_up=follow_up))
    assert weighted.headline == UNWEIGHTED
    assert "has no population margins yet" in weighted.headline_reason
    margins_add(baseline.area, AGE_HALVES | TENURE_HALVES)
    assert wave_results_weigh(area_id=baseline.area_id) == 2
    kept = WaveResults.objects.get(wave=baseline).weighting
    assert kept["margins"] == ["profile_age", "profile_tenure"]
    assert kept["effective_sample_size"] == pytest.approx(300)
    # Changed margins: the published weighting stays as it was.
    PopulationCount.objects.filter(category="16_24").update(count=3000)
    assert wave_results_weigh(area_id=baseline.area_id) == 0
    assert WaveResults.objects.get(wave=baseline).weighting == kept
    # Fewer new responses than the threshold: nothing published moves.
    respondents_add(baseline, [(5, {"profile_age": "16_24", "profile_tenure": "owned"})])
    assert WaveResults.objects.filter(wave=baseline).count() == 1
    published = weighted_comparison_build(comparison_build(baseline=baseline, follow_up=follow_up))
    assert published.headline == WEIGHTED
    assert published.waves[0].respondents == 400
    assert published.waves[0].effective_sample_size == pytest.approx(300)
