"""The exact auditor decides what is published, and what is published passes it.

Thousands of generated tables, the adversarial shapes among them (hidden cells adding up
to exactly the threshold beside a partner, shares on the threshold's edge, tables of
zeros with one big answer, multiple choice), go through the real publication path
(``wave_answers_publish``); what comes out is read back as a reader sees it and audited.
The auditor's interval arithmetic is checked against a brute-force reader that tries
every table, and a second reader replays the whole publication rule on every candidate.
"""

from itertools import product

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from surveys.blocks import Question, QuestionKind
from surveys.disclosure import PublishedRow, audit_row
from surveys.selectors import wave_answers_as_read, wave_answers_publish

from .disclosure_audit import feasible_values

T = 10


def _question(kind: str, n: int, positives: int) -> Question:
    options = tuple((f"answer_{i}", f"Answer {i}") for i in range(n))
    if kind == "multiple":
        return Question("q", QuestionKind.MULTIPLE, "Q", "", False, options)
    positive = frozenset(v for v, _ in options[:positives]) if kind == "share" else frozenset()
    return Question("q", QuestionKind.SINGLE, "Q", "", True, options, positive)


def _publish(question, counts, answered, order=None):
    values = [v for v, _ in question.options]
    order = list(order) if order is not None else list(range(len(values)))
    published = wave_answers_publish(
        question,
        values,
        dict(zip(values, counts, strict=True)),
        answered,
        T,
        lambda candidates: min(candidates, key=order.index),
    )
    return published, wave_answers_as_read(question, published, T)


def _brute_force(row: PublishedRow, limit: int) -> dict[int, set[int]]:
    """Every value of every hidden cell in every table (cells up to ``limit``) that agrees
    with what the reader knows: the shown figures and the five rules."""
    hidden = row.hidden
    n = len(row.cells)
    share_shown = row.positive_count is not None
    totals = (
        [[i for i in range(n) if row.positive[i]], [i for i in range(n) if not row.positive[i]]]
        if share_shown
        else [list(range(n))]
    )
    found: dict[int, set[int]] = {i: set() for i in hidden}
    for values in product(range(limit + 1), repeat=len(hidden)):
        cells = list(row.cells)
        for i, v in zip(hidden, values, strict=True):
            cells[i] = v
        total = sum(cells)
        if row.multiple:
            if row.answered is None:
                if max(cells) >= T:
                    continue
            elif any(c > row.answered for c in cells) or total < row.answered:
                continue
        elif row.answered is None:
            if total >= T:
                continue
        elif total != row.answered:
            continue
        positive = sum(c for c, p in zip(cells, row.positive, strict=True) if p)
        if share_shown and positive != row.positive_count:
            continue
        if (
            row.has_share
            and not share_shown
            and row.answered is not None
            and positive >= T
            and row.answered - positive >= T
        ):
            continue
        if row.answered is not None and any(
            any(row.cells[i] is None for i in part)
            and any(row.cells[i] is not None for i in part)
            and not any(row.cells[i] is None and cells[i] >= T for i in part)
            for part in totals
        ):
            continue
        for i in hidden:
            found[i].add(cells[i])
    return found


SMALL = st.integers(0, T - 1)


@st.composite
def adversarial_tables(draw):
    """Tables shaped like the ones that used to leak, and ordinary ones."""
    kind = draw(st.sampled_from(["share", "share", "plain", "multiple"]))
    n = draw(st.integers(2, 6))
    positives = draw(st.integers(1, n - 1))
    question = _question(kind, n, positives)
    shape = draw(st.sampled_from(["sums to the threshold", "zeros", "edge", "any"]))
    if shape == "sums to the threshold":
        # Small cells and one partner that together add up to exactly T (or just over).
        smalls = draw(st.lists(SMALL, min_size=1, max_size=n - 1))
        counts = [0] * n
        slots = draw(st.permutations(range(n)))
        for slot, value in zip(slots, smalls, strict=False):
            counts[slot] = value
        rest = slots[len(smalls) :]
        if rest:
            counts[rest[0]] = max(T, T + draw(st.integers(0, 2)) - sum(smalls))
            for slot in rest[1:]:
                counts[slot] = draw(st.integers(T, 6 * T))
    elif shape == "zeros":
        counts = [draw(st.sampled_from([0, 0, 0, 1, 2])) for _ in range(n)]
        for _ in range(draw(st.integers(1, 2))):
            counts[draw(st.integers(0, n - 1))] = draw(st.integers(T, 12 * T))
    elif shape == "edge":
        counts = [draw(st.integers(0, 2 * T + 2)) for _ in range(n)]
    else:
        counts = [draw(st.one_of(SMALL, st.integers(0, 8 * T))) for _ in range(n)]
    if kind == "multiple":
        ticks = sum(counts)
        answered = draw(st.integers(max(counts), ticks)) if ticks else 0
    else:
        answered = sum(counts)
    order = draw(st.permutations(range(n)))
    return question, counts, answered, order


SHARE = _question("share", 5, 2)


@settings(
    max_examples=4000, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(adversarial_tables())
@example((SHARE, [0, 10, 0, 30, 40], 80, range(5)))
@example((SHARE, [10, 0, 0, 25, 0], 35, range(5)))
@example((SHARE, [0, 9, 1, 0, 40], 50, range(5)))
@example((SHARE, [0, 0, 0, 0, 0], 0, range(5)))
@example((SHARE, [3, 7, 0, 0, 120], 130, range(5)))
def test_every_published_table_passes_the_exact_audit(table):
    question, counts, answered, order = table
    published, row = _publish(question, counts, answered, order)
    # The rules hold: small counts never shown, shares only with both sides large.
    for cell, count in zip(published.cells, counts, strict=True):
        assert cell.count is None or (cell.count == count and count >= T)
    if published.share is not None:
        assert published.positive >= T and published.answered - published.positive >= T
    if row is not None:
        audit = audit_row(row)
        assert audit.passes, f"{counts} (answered {answered}) exposes {audit.exposed}"
        # The truth is always among the values the auditor keeps possible.
        for i, intervals in audit.possible.items():
            assert any(low <= counts[i] <= high for low, high in intervals)


@settings(
    max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(adversarial_tables())
def test_the_auditor_finds_exactly_what_a_brute_force_reader_finds(table):
    question, counts, answered, order = table
    if answered > 30 or len(counts) > 5:
        return
    # Audit every publication the rules could make, passing or not: primaries only,
    # primaries and partners, and the real one.
    _, row = _publish(question, counts, answered, order)
    if row is None or len(row.hidden) > 4:
        return
    limit = row.answered if row.answered is not None else T - 1
    expected = _brute_force(row, limit)
    audit = audit_row(row)
    for i in row.hidden:
        got = {v for low, high in audit.possible[i] for v in range(low, int(min(high, limit)) + 1)}
        assert got == expected[i], (counts, answered, i)


@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(adversarial_tables())
@example((SHARE, [0, 10, 0, 30, 40], 80, range(5)))
@example((SHARE, [0, 9, 1, 0, 40], 50, range(5)))
def test_a_reader_replaying_the_whole_rule_cannot_narrow_a_hidden_count(table):
    """The strongest reader: knows the rule down to the auditor's loop (not the secret
    order) and tries candidate tables through the real publication path."""
    question, counts, answered, order = table
    if answered > 60:
        return
    order = list(order)
    found = feasible_values(
        question,
        counts,
        answered=answered,
        threshold=T,
        partner=lambda candidates: min(candidates, key=order.index),
        want=3,
    )
    narrowed = {i: v for i, v in found.items() if len(v) < 3}
    assert narrowed == {}, f"{counts} (answered {answered}) narrows {narrowed}"


def test_the_pattern_that_leaked_is_now_caught_and_protected():
    # Hidden cells adding up to exactly 10 beside a partner of at least 10: under the
    # former rules the page showed 30 and 40 with the share hidden, and a reader knew the
    # partner was 10 and every other hidden cell 0.
    leaked = PublishedRow(T, (None, None, None, 30, 40), (True, True, False, False, False), 80)
    assert set(audit_row(leaked).exposed) == {0, 1, 2}
    published, row = _publish(SHARE, [0, 10, 0, 30, 40], 80)
    assert audit_row(row).passes
    assert [c.count for c in published.cells].count(None) > 3


@pytest.mark.parametrize("threshold", [5, 20])
def test_other_thresholds(threshold):
    for counts in ([0, 4 * threshold, 1, 0, 0], [threshold - 1] * 3 + [0, threshold]):
        values = [v for v, _ in SHARE.options]
        published = wave_answers_publish(
            SHARE, values, dict(zip(values, counts, strict=True)), sum(counts), threshold
        )
        assert audit_row(wave_answers_as_read(SHARE, published, threshold)).passes
