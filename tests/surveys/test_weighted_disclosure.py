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
    assert positives in solutions  # the reader's arithmetic is the same as ours
    for c in present:
        values = {s[c] for s in solutions}
        if len(values) == 1:
            [x] = values
            assert x >= THRESHOLD and counts[c] - x >= THRESHOLD, (c, x, counts)
