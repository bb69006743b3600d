"""Weighted figures are published figures: a reader who knows the rules, the census and
everything published must not learn a small count from a weighted share.

The reader here is the strongest one for a weighted share: raking on one profile
question, they know each profile answer's number of respondents (its published
breakdown, taken as fully shown), the census shares, hence every weight; with the
published positive count and the weighted share as published (one decimal, as the
export gives it), they search every cross-table of profile answer × positive answer
consistent with it. Any cell they can pin to one value must not be small.
"""

import itertools
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.blocks import Question
from surveys.weighted.waves import wave_figures_compute

THRESHOLD = 10
SAFE = Question(
    key="safe_after_dark",
    kind="standard",
    text="Safe?",
    help_text="",
    required=True,
    options=(("yes", "Yes"), ("no", "No")),
    positive=frozenset({"yes"}),
)
WAVE = SimpleNamespace(area=SimpleNamespace(household_count=None, __str__=lambda self: "Area"))
AGES = ["16_24", "35_49", "65_plus"]


def weighted_share_for(sizes, positives, shares):
    """The reader's arithmetic: single-question raking weights, then the share."""
    answered = sum(n for c, n in sizes.items() if c)
    weight = {c: (shares[c] * answered / n if c else 1.0) for c, n in sizes.items() if n}
    total = sum(weight[c] * n for c, n in sizes.items() if n)
    return sum(weight[c] * x for c, x in positives.items() if sizes[c]) / total


@settings(max_examples=300, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 45), min_size=3, max_size=3),
    skipped=st.integers(0, 15),
    fractions=st.lists(st.floats(0, 1), min_size=4, max_size=4),
    census=st.lists(st.integers(1, 10), min_size=3, max_size=3),
)
def test_no_small_cross_table_cell_can_be_solved_from_a_published_weighted_share(
    sizes, skipped, fractions, census
):
    categories = AGES + [""]
    counts = dict(zip(categories, sizes + [skipped], strict=True))
    positives = {c: round(f * counts[c]) for c, f in zip(categories, fractions, strict=True)}
    respondents = [
        ({"profile_age": c} if c else {}) | {"safe_after_dark": "yes" if i < positives[c] else "no"}
        for c in categories
        for i in range(counts[c])
    ]
    if not any(counts[c] for c in AGES):
        return
    population = {"profile_age": dict(zip(AGES, census, strict=True))}
    figures = wave_figures_compute(
        WAVE,
        respondents=respondents,
        population=population,
        asked=["profile_age"],
        share_questions=[SAFE],
        cap=1000,
        threshold=THRESHOLD,
    )
    answers = figures.shares.get("safe_after_dark")
    if answers is None or answers.reveals_small_cells:
        return  # not published
    present = [c for c in categories if counts[c]]
    shares = {
        c: census[AGES.index(c)] / sum(census[AGES.index(a)] for a in present if a)
        for c in present
        if c
    }
    published = round(100 * answers.share, 1)
    total_positive = sum(positives.values())
    solutions = [
        dict(zip(present, xs, strict=True))
        for xs in itertools.product(*(range(counts[c] + 1) for c in present))
        if sum(xs) == total_positive
        and round(100 * weighted_share_for(counts, dict(zip(present, xs, strict=True)), shares), 1)
        == published
    ]
    # The reader's arithmetic is the same as ours (on the answers anyone gave).
    assert {c: positives[c] for c in present} in solutions
    for c in present:
        values = {s[c] for s in solutions}
        if len(values) == 1:
            [x] = values
            assert x >= THRESHOLD and counts[c] - x >= THRESHOLD, (c, x, counts)


# Through the real publication path: answers submitted and flushed, results published,
# the comparison built as the analysts' page, the exports and published pages build it.

QUESTIONS = [
    {"type": "standard", "value": {"item": "safe_after_dark", "required": True}},
    {"type": "standard", "value": {"item": "drugs_problem", "required": True}},
    {"type": "profile", "value": {"item": "profile_age"}},
    {"type": "profile", "value": {"item": "profile_tenure"}},
]
AGE_BANDS = ["16_24", "25_34", "35_49", "50_64", "65_plus"]
CENSUS = {
    "profile_age": {"16_24": 1000, "25_34": 1000, "35_49": 1000, "50_64": 1000, "65_plus": 150},
    # Every household in this (fictional) area owns its home: raked on tenure, nobody's
    # weight moves, so age alone sets the weights.
    "profile_tenure": {"owned": 4150},
}


def _submit(wave, ages):
    from surveys.services import response_submit

    for i, age in enumerate(ages):
        response_submit(
            wave=wave,
            answers={
                "safe_after_dark": ["very_safe" if i % 2 else "a_bit_unsafe"],
                "drugs_problem": ["fairly_big" if i % 3 else "not_a_problem"],
                "profile_age": [age],
                "profile_tenure": ["owned"],
            },
        )


def _reader_design_effects(row, margins, cap):
    """Every age breakdown a reader finds possible from the published breakdown (as the
    auditor finds it) and the wave's being weighted at all, with what weighting it would
    publish about the wave: the design effect to three decimals and the effective sample
    size to one (as the export gives them), and the notes on the page."""
    from surveys.disclosure import audit_row
    from surveys.weighted.waves import ACCEPTABLE_GAP
    from surveys.weighting import Margin, rake

    hidden = row.hidden
    possible = audit_row(row).possible
    rest = row.answered - sum(c for c in row.cells if c is not None)
    ranges = [
        [v for low, high in possible[i] for v in range(low, int(min(high, rest)) + 1)]
        for i in hidden
    ]
    found = []
    for values in itertools.product(*ranges):
        if sum(values) != rest:
            continue
        cells = list(row.cells)
        for i, v in zip(hidden, values, strict=True):
            cells[i] = v
        profiles = [
            {"profile_age": band, "profile_tenure": "owned"}
            for band, n in zip(AGE_BANDS + ["prefer_not_to_say"], cells, strict=True)
            for _ in range(n)
        ]
        raking = rake(profiles, [Margin.from_counts(k, v) for k, v in margins.items()], cap=cap)
        if raking.largest_gap > ACCEPTABLE_GAP:
            continue  # that wave could not have been weighted, and it shows as weighted
        shown = (
            round(raking.design_effect, 3),
            round(raking.effective_sample_size, 1),
            raking.notes,
        )
        found.append((dict(zip(hidden, values, strict=True)), shown))
    return found


def test_a_waves_weighting_is_not_published_where_its_design_effect_would_pin_a_hidden_count(
    db,
):
    from django.conf import settings as django_settings

    from surveys.disclosure import MIN_POSSIBLE_VALUES
    from surveys.models import SurveyWave, WaveResults
    from surveys.selectors import comparison_build, wave_answers_as_read
    from surveys.weighted.selectors import weighted_comparison_audit, weighted_comparison_build

    from .conftest import responses_flush_all
    from .factories import SurveyWaveFactory, survey_page_create
    from .test_weighted_comparison import margins_add

    survey = survey_page_create(questions=QUESTIONS)
    baseline = SurveyWaveFactory(survey=survey, slug="before")
    follow_up = SurveyWaveFactory(
        survey=survey, slug="after", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    margins_add(baseline.area, CENSUS)
    # Four people aged 65 or over in the baseline: a count the breakdown must hide.
    _submit(baseline, ["16_24"] * 30 + ["25_34"] * 30 + ["35_49"] * 30 + ["50_64"] * 30)
    _submit(baseline, ["65_plus"] * 4)
    _submit(follow_up, [band for band in AGE_BANDS for _ in range(25)])
    responses_flush_all()
    assert WaveResults.objects.filter(wave=baseline).get().weighting["margins"] == [
        "profile_age",
        "profile_tenure",
    ]

    published = comparison_build(baseline=baseline, follow_up=follow_up)
    [age] = [q for q in published.questions if q.question.key == "profile_age"]
    row = wave_answers_as_read(age.question, age.baseline, published.threshold)
    old = AGE_BANDS.index("65_plus")
    assert row.cells[old] is None  # hidden by the unweighted rules
    # The reader without weighted figures (knowing only that the wave could be weighted):
    # at least three values for the hidden count.
    live = weighted_comparison_build(
        comparison_build(baseline=baseline, follow_up=follow_up, live=True)
    )
    assert live.waves[0].weighted  # the analysts' live view weights it
    cap = django_settings.SURVEYS_WEIGHT_CAP
    candidates = _reader_design_effects(row, CENSUS, cap)
    assert len({values[old] for values, _ in candidates}) >= MIN_POSSIBLE_VALUES
    # With the wave's weighting published, the reader would pin it down.
    figures = live.waves[0].figures
    shown = (
        round(figures.design_effect, 3),
        round(figures.effective_sample_size, 1),
        figures.notes,
    )
    pinned = {values[old] for values, published in candidates if published == shown}
    assert 4 in pinned and len(pinned) < MIN_POSSIBLE_VALUES
    assert weighted_comparison_audit(live)  # the auditor sees it

    # So the published comparison does not weight that wave (nor the follow-up, whose
    # breakdown hides its empty "prefer not to say" and a partner), and its auditor finds
    # nothing a reader could recover.
    weighted = weighted_comparison_build(published)
    assert not weighted.waves[0].weighted
    assert "hides a small count" in weighted.waves[0].problem
    assert weighted.headline == "unweighted"
    assert all(q.baseline is None for q in weighted.questions)
    assert weighted_comparison_audit(weighted) == []


def test_weighted_shares_in_a_published_comparison_stand_only_beside_audited_counts(db):
    """A follow-up with enough of every age is weighted in the published comparison; its
    weighted shares appear exactly where the unweighted shares do, and the auditor finds
    nothing recoverable with them shown."""
    from surveys.models import SurveyWave
    from surveys.selectors import comparison_audit, comparison_build
    from surveys.weighted.selectors import weighted_comparison_audit, weighted_comparison_build

    from .conftest import responses_flush_all
    from .factories import SurveyWaveFactory, survey_page_create
    from .test_weighted_comparison import margins_add

    survey = survey_page_create(questions=QUESTIONS)
    baseline = SurveyWaveFactory(survey=survey, slug="before")
    follow_up = SurveyWaveFactory(
        survey=survey, slug="after", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    margins_add(baseline.area, CENSUS | {"profile_tenure": {"owned": 3000, "social_rented": 1150}})
    for wave in (baseline, follow_up):
        from surveys.services import response_submit

        for i, band in enumerate(band for band in AGE_BANDS for _ in range(24)):
            response_submit(
                wave=wave,
                answers={
                    "safe_after_dark": ["very_safe" if i % 2 else "a_bit_unsafe"],
                    "drugs_problem": ["fairly_big" if i % 3 else "not_a_problem"],
                    "profile_age": [band],
                    "profile_tenure": ["owned" if i % 4 else "social_rented"],
                },
            )
    responses_flush_all()
    published = comparison_build(baseline=baseline, follow_up=follow_up)
    weighted = weighted_comparison_build(published)
    assert all(w.weighted for w in weighted.waves)
    for q in weighted.questions:
        assert (q.baseline is None) == (q.row.baseline.share is None)
        assert (q.follow_up is None) == (q.row.follow_up.share is None)
    assert any(q.baseline is not None for q in weighted.questions)
    assert comparison_audit(published)[1] == []
    assert weighted_comparison_audit(weighted) == []
