"""No hidden count can be worked out from what a breakdown publishes.

The auditor (``disclosure_audit``) plays a reader who knows the rules; these tests run it
on the examples that used to leak and, as a property, on thousands of generated tables.
"""

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from surveys.blocks import Question, QuestionKind
from surveys.question_bank import SCALES

from .disclosure_audit import disclosed_cells, feasible_values

K = 10
SAFETY = SCALES["safety"]
SAFE_AFTER_DARK = Question(
    key="safe_after_dark",
    kind=QuestionKind.STANDARD,
    text="How safe do you feel walking alone after dark?",
    help_text="",
    required=True,
    options=SAFETY.options,
    positive=SAFETY.positive,
)
SEEN = Question(
    key="seen_changes",
    kind=QuestionKind.MULTIPLE,
    text="What have you noticed?",
    help_text="",
    required=False,
    options=(
        ("less_dealing", "Less dealing"),
        ("more_police", "More police"),
        ("cleaner", "Cleaner"),
    ),
)


def _question(kind: str, n: int, positives: int) -> Question:
    options = tuple((f"answer_{i}", f"Answer {i}") for i in range(n))
    if kind == "multiple":
        return Question("q", QuestionKind.MULTIPLE, "Q", "", False, options)
    positive = frozenset(v for v, _ in options[:positives]) if kind == "share" else frozenset()
    return Question("q", QuestionKind.SINGLE, "Q", "", True, options, positive)


def test_a_lone_small_cell_beside_one_big_answer_cannot_be_worked_out():
    # Very safe 0, fairly safe 26, a bit unsafe 1, very unsafe 0, don't know 0: the page
    # used to show 26, 0, 0 and "Answered 27", so the two hidden cells added up to 1.
    counts = [0, 26, 1, 0, 0]
    assert disclosed_cells(SAFE_AFTER_DARK, counts, answered=27, threshold=K) == {}
    values = feasible_values(SAFE_AFTER_DARK, counts, answered=27, threshold=K)
    assert set(values) == {0, 1, 2, 3, 4}


def test_the_complementary_cell_does_not_reveal_the_two_nines():
    # 0 / 9 / 22 / 25 / 9: with a visible 0 and "the smallest visible cell" as the
    # partner, both hidden cells had to be 9.
    counts = [0, 9, 22, 25, 9]
    assert disclosed_cells(SAFE_AFTER_DARK, counts, answered=65, threshold=K) == {}
    values = feasible_values(SAFE_AFTER_DARK, counts, answered=65, threshold=K)
    assert len(values[4]) >= 2 and len(values[1]) >= 2


def test_multiple_choice_ticks_cannot_pin_the_hidden_option():
    # 59 answered, 30 and 20 shown, one hidden: everyone ticked at least one, so the
    # hidden one used to be 9.
    counts = [30, 20, 9]
    assert disclosed_cells(SEEN, counts, answered=59, threshold=K) == {}
    assert len(feasible_values(SEEN, counts, answered=59, threshold=K)[2]) >= 2


def _previous_rule(counts, *, threshold, answered=None, positive=None, additive=True, **_):
    """The rules Signpost used before: zeros shown, the share hidden when a part of it was
    small, and the smallest visible cell hidden beside a lone hidden one."""
    from surveys.suppression import SuppressedRow

    def is_small(c):
        return 0 < c < threshold

    hidden = [is_small(c) for c in counts]
    if not additive:
        return SuppressedRow(tuple(not h for h in hidden), False, True)
    if is_small(sum(counts)):
        return SuppressedRow((False,) * len(counts), False, True)
    groups = ["positive" if p else "other" for p in positive] if positive else None
    share_shown = groups is not None
    if share_shown:
        pos = sum(c for c, g in zip(counts, groups, strict=True) if g == "positive")
        rest = sum(c for c, g in zip(counts, groups, strict=True) if g == "other")
        share_shown = not (is_small(pos) or is_small(rest))
    changed = True
    while changed:
        changed = False
        if share_shown:
            parts = [[i for i, g in enumerate(groups) if g == n] for n in ("positive", "other")]
        else:
            parts = [list(range(len(counts)))]
        for part in parts:
            hidden_here = [i for i in part if hidden[i]]
            if len(hidden_here) != 1:
                continue
            candidates = [i for i in part if not hidden[i]]
            if candidates:
                hidden[min(candidates, key=lambda i: (counts[i], i))] = True
                changed = True
            elif share_shown:
                share_shown = False
                changed = True
            if changed:
                break
    return SuppressedRow(tuple(not h for h in hidden), share_shown, True)


@pytest.mark.parametrize(
    ("question", "counts", "answered"),
    [
        (SAFE_AFTER_DARK, [0, 26, 1, 0, 0], 27),
        (SAFE_AFTER_DARK, [0, 9, 22, 25, 9], 65),
        (SEEN, [30, 20, 9], 59),
    ],
)
def test_the_auditor_finds_each_leak_of_the_previous_rules(monkeypatch, question, counts, answered):
    """The auditor is not blind: under the rules used before, each example leaks."""
    from surveys import selectors

    monkeypatch.setattr(selectors, "suppress_row", _previous_rule)
    assert disclosed_cells(question, counts, answered=answered, threshold=K)


def test_fewer_than_the_threshold_answering_hides_the_number_who_answered():
    values = feasible_values(SAFE_AFTER_DARK, [0, 6, 1, 0, 0], answered=7, threshold=K)
    assert all(len(v) >= 2 for v in values.values())
    assert len(values) == 5


small = st.integers(0, K + 2)
medium = st.integers(K - 2, 3 * K)
large = st.integers(0, 8 * K)
cell = st.one_of(small, small, medium, large)


@st.composite
def published_tables(draw):
    kind = draw(st.sampled_from(["share", "plain", "multiple"]))
    n = draw(st.integers(2, 6))
    positives = draw(st.integers(1, n - 1))
    question = _question(kind, n, positives)
    if draw(st.booleans()):
        # A single-option majority: one big answer, the rest few or none.
        counts = [draw(st.integers(0, 3)) for _ in range(n)]
        counts[draw(st.integers(0, n - 1))] = draw(st.integers(K, 12 * K))
    else:
        counts = [draw(cell) for _ in range(n)]
    if kind == "multiple":
        ticks = sum(counts)
        answered = draw(st.integers(max(counts), ticks)) if ticks else 0
    else:
        answered = sum(counts)
    # The secret order partners are drawn in: any order at all.
    order = draw(st.permutations(range(n)))
    return question, counts, answered, order


@settings(
    max_examples=3000,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(published_tables())
@example((SAFE_AFTER_DARK, [0, 26, 1, 0, 0], 27, range(5)))
@example((SAFE_AFTER_DARK, [0, 9, 22, 25, 9], 65, range(5)))
@example((SEEN, [30, 20, 9], 59, range(3)))
@example((SAFE_AFTER_DARK, [0, 0, 0, 0, 0], 0, range(5)))
@example((SAFE_AFTER_DARK, [9, 9, 9, 0, 0], 27, range(5)))
@example((SAFE_AFTER_DARK, [12, 10, 10, 3, 4], 39, range(5)))
def test_no_generated_table_lets_a_reader_pin_a_hidden_count(table):
    question, counts, answered, order = table
    order = list(order)
    leaks = disclosed_cells(
        question,
        counts,
        answered=answered,
        threshold=K,
        partner=lambda candidates: min(candidates, key=order.index),
    )
    assert leaks == {}, f"{counts} (answered {answered}) reveals {leaks}"


@pytest.mark.parametrize("threshold", [5, 20])
def test_the_rules_hold_at_other_thresholds(threshold):
    for counts in ([0, 4 * threshold, 1, 0, 0], [threshold - 1] * 3 + [0, 0]):
        answered = sum(counts)
        assert (
            disclosed_cells(SAFE_AFTER_DARK, counts, answered=answered, threshold=threshold) == {}
        )
