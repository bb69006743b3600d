"""The exact disclosure auditor: what can a reader work out about the hidden counts of a
published breakdown?

It is a plain function over a table of figures (``PublishedRow``: the counts shown and
hidden, the totals shown, the rules' threshold), with no database and no Django, so
anything that publishes a breakdown (counts today, weighted figures tomorrow: give it
the figures a reader sees) can be audited the same way. ``surveys.suppression`` calls it
on every candidate publication and publishes only one it passes; tests call it on what
the page, the downloads and the published pages actually show.

**What the reader knows.** Everything shown, and the rules themselves:

1. each count shown, so each count shown is at least the threshold T;
2. the number who answered, or, shown as "fewer than T", that it is below T (then every
   cell is hidden);
3. the cells add up to the number who answered; for a multiple-choice question each
   cell is at most that number and together they reach it (everyone who answered
   ticked at least one answer);
4. with the positive share shown, the positive count (the share times its base, or
   read from its interval) and so the rest; with the share hidden while the number who
   answered is shown, the rule's reason: the positive count or the rest is below T;
5. the partner rule: in every total a reader can see (the number who answered, or with
   the share the positive count and the rest) that has both shown and hidden cells, at
   least one hidden cell is T or more (one was hidden to protect the others).

Percentages, intervals, p-values, changes, differences in differences, chart labels and
bar lengths are computed from those figures alone, so they add nothing (they are only
ever drawn for shown counts and shown shares).

**What it finds.** For every hidden cell, every value it could take in some table that
agrees with all of the above. The constraints are sums over nested groups of cells
(positive ⊂ answered, rest ⊂ answered) with lower and upper bounds, so for each choice
of the rules' "or"s (which side of the share is small, which hidden cell is the partner)
the values a cell can take form one interval, computed exactly by interval arithmetic;
a cell's possible values are the union of those intervals. A publication passes when
every hidden cell keeps at least ``MIN_POSSIBLE_VALUES`` possible values, so its true
value cannot be worked out or narrowed to two.
"""

from dataclasses import dataclass
from itertools import product

INFINITY = float("inf")
MIN_POSSIBLE_VALUES = 3

Interval = tuple[int, float]  # (low, high); high may be INFINITY


@dataclass(frozen=True)
class PublishedRow:
    """One wave's answers to one question as a reader sees them.

    ``cells``: each answer's count, None where hidden. ``positive``: which answers make
    up the positive share (all False for a question without one). ``answered``: the
    number who answered, None when shown as "fewer than the threshold".
    ``positive_count``: the positive count, when the share is shown.
    """

    threshold: int
    cells: tuple[int | None, ...]
    positive: tuple[bool, ...]
    answered: int | None
    positive_count: int | None = None
    multiple: bool = False

    @property
    def hidden(self) -> list[int]:
        return [i for i, c in enumerate(self.cells) if c is None]

    @property
    def has_share(self) -> bool:
        return any(self.positive) and not all(self.positive) and not self.multiple


@dataclass(frozen=True)
class RowAudit:
    """The possible values of each hidden cell (as merged intervals) and the verdict."""

    possible: dict[int, tuple[Interval, ...]]
    min_values: int

    def count(self, cell: int) -> float:
        return sum(high - low + 1 for low, high in self.possible[cell])

    @property
    def exposed(self) -> dict[int, tuple[Interval, ...]]:
        """Hidden cells a reader can narrow to fewer than ``min_values`` values."""
        return {i: v for i, v in self.possible.items() if self.count(i) < self.min_values}

    @property
    def passes(self) -> bool:
        return not self.exposed


def _merge(intervals: list[Interval]) -> tuple[Interval, ...]:
    merged: list[list] = []
    for low, high in sorted(intervals):
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    return tuple((low, high) for low, high in merged)


def _intersect(a: Interval, b: Interval) -> Interval:
    return max(a[0], b[0]), min(a[1], b[1])


def _empty(interval: Interval) -> bool:
    return interval[0] > interval[1]


def _additive_case(groups, sums, root, lows, highs) -> dict[int, Interval] | None:
    """Each hidden cell's interval when the cells' bounds are ``lows``/``highs``, each
    group's hidden sum lies in ``sums[g]`` and their total in ``root``; None if no table
    fits."""
    capacity = {
        g: (sum(lows[i] for i in cells), sum(highs[i] for i in cells))
        for g, cells in groups.items()
    }
    ranges = {g: _intersect(sums[g], capacity[g]) for g in groups}
    if any(_empty(r) for r in ranges.values()):
        return None
    names = list(groups)
    if len(names) == 2:
        # Two groups under one total: each group's sum is limited by the other's range.
        first, second = names
        a, b = ranges[first], ranges[second]
        ranges[first] = _intersect(a, (root[0] - b[1], root[1] - b[0]))
        ranges[second] = _intersect(b, (root[0] - a[1], root[1] - a[0]))
    else:
        ranges[names[0]] = _intersect(ranges[names[0]], root)
    if any(_empty(r) for r in ranges.values()):
        return None
    result = {}
    for g, cells in groups.items():
        low_sum, high_sum = ranges[g]
        for i in cells:
            others_low = sum(lows[j] for j in cells if j != i)
            others_high = sum(highs[j] for j in cells if j != i)
            interval = _intersect(
                (lows[i], highs[i]), (low_sum - others_high, high_sum - others_low)
            )
            if _empty(interval):
                return None
            result[i] = interval
    return result


def _partner_totals(row: PublishedRow, share_shown: bool) -> list[list[int]]:
    """The totals a reader sees that hold both shown and hidden cells: each has a hidden
    cell of at least the threshold (rule 5)."""
    if row.answered is None:
        return []
    n = len(row.cells)
    if share_shown:
        totals = [
            [i for i in range(n) if row.positive[i]],
            [i for i in range(n) if not row.positive[i]],
        ]
    else:
        totals = [list(range(n))]
    found = []
    for cells in totals:
        hidden = [i for i in cells if row.cells[i] is None]
        if hidden and len(hidden) < len(cells):
            found.append(hidden)
    return found


def audit_row(row: PublishedRow, *, min_values: int = MIN_POSSIBLE_VALUES) -> RowAudit:
    """Every value each hidden cell of ``row`` could take, given all a reader knows."""
    hidden = row.hidden
    if not hidden:
        return RowAudit({}, min_values)
    t = row.threshold
    share_shown = row.positive_count is not None
    partner_totals = _partner_totals(row, share_shown)
    possible: dict[int, list[Interval]] = {i: [] for i in hidden}

    # The "or"s of the rules: which side of a hidden share is small, and which hidden
    # cell of each total is the partner.
    if row.multiple or not row.has_share or share_shown or row.answered is None:
        share_sides = [None]
    else:
        share_sides = ["positive small", "rest small"]
    for side, witnesses in product(share_sides, product(*partner_totals)):
        lows = dict.fromkeys(hidden, 0)
        highs: dict[int, float] = dict.fromkeys(hidden, INFINITY)
        for i in witnesses:
            lows[i] = t
        if row.answered is None:
            for i in hidden:
                highs[i] = t - 1
        if row.multiple:
            intervals = _multiple_case(row, lows, highs)
        else:
            limits = _additive_sums(row, side, share_shown)
            intervals = limits and _additive_case(*limits, lows, highs)
        if intervals is None:
            continue
        for i, interval in intervals.items():
            possible[i].append(interval)
    return RowAudit({i: _merge(v) for i, v in possible.items()}, min_values)


def _additive_sums(row: PublishedRow, side, share_shown):
    """The groups of hidden cells, the range of each group's hidden sum and of their
    total, from the totals shown and the share rule; None when this side of the share
    rule cannot hold."""
    t = row.threshold
    n = len(row.cells)
    shown = {i: c for i, c in enumerate(row.cells) if c is not None}
    if row.has_share:
        groups = {
            "positive": [i for i in range(n) if row.positive[i] and row.cells[i] is None],
            "rest": [i for i in range(n) if not row.positive[i] and row.cells[i] is None],
        }
    else:
        groups = {"all": [i for i in range(n) if row.cells[i] is None]}
    groups = {g: cells for g, cells in groups.items() if cells}
    visible = {
        g: sum(c for i, c in shown.items() if (g == "all" or row.positive[i] == (g == "positive")))
        for g in ("positive", "rest", "all")
    }
    if row.answered is None:
        root = (0, t - 1 - sum(shown.values()))
    else:
        exact = row.answered - sum(shown.values())
        root = (exact, exact)
    sums: dict[str, Interval] = dict.fromkeys(groups, (0, INFINITY))
    if share_shown:
        if "positive" in sums:
            p = row.positive_count - visible["positive"]
            sums["positive"] = (p, p)
        if "rest" in sums:
            r = row.answered - row.positive_count - visible["rest"]
            sums["rest"] = (r, r)
    elif side is not None:
        group = "positive" if side == "positive small" else "rest"
        bound = (0, t - 1 - visible[group])
        if bound[1] < 0:
            return None  # its shown cells alone reach the threshold
        if group in groups:
            sums[group] = bound
    if len(groups) == 1:
        (only,) = groups
        root = _intersect(root, sums[only])
        sums[only] = root
    return groups, sums, root


def _multiple_case(row, lows, highs) -> dict[int, Interval] | None:
    hidden = list(lows)
    shown_sum = sum(c for c in row.cells if c is not None)
    if row.answered is None:
        return {i: (lows[i], min(highs[i], row.threshold - 1)) for i in hidden}
    a = row.answered
    highs = {i: min(highs[i], a) for i in hidden}
    if any(lows[i] > highs[i] for i in hidden):
        return None
    need = a - shown_sum if a else 0
    total_high = sum(highs.values())
    if total_high < need:
        return None
    if a == 0:
        return dict.fromkeys(hidden, (0, 0)) if all(lows[i] == 0 for i in hidden) else None
    return {i: (max(lows[i], need - (total_high - highs[i])), highs[i]) for i in hidden}


def _informative(row: PublishedRow | None) -> bool:
    """A raked question's breakdown that splits those who answered into at least two
    groups a reader knows hold at least the threshold each: the answers whose counts are
    shown, and the hidden ones together when they add up to the threshold or more."""
    if row is None or row.answered is None:
        return False
    shown = [c for c in row.cells if c is not None]
    groups = sum(1 for c in shown if c > 0)
    if row.answered - sum(shown) >= row.threshold:
        groups += 1
    return groups >= 2


def weighting_exposes(rows: list[PublishedRow | None]) -> list[int]:
    """Which of the published breakdowns of the profile questions a wave is raked on
    (``rows``, as a reader sees them; None for one withheld whole) the wave's weighted
    figures could give a hidden count of; empty when they may be published beside them.

    A wave's weights are a function of how many gave each combination of answers to the
    profile questions it is raked on, and its effective sample size, (Σw)² ÷ Σw², and
    design effect, n ÷ that, are published to one and three decimals. Raked on one
    question (or on several of which only one splits those who answered into groups of
    at least the threshold: the others all but one-sided), each weight is that answer's census share over its sample share,
    and the design effect is one equation in that breakdown: raked on sex alone with n and
    the census known, it solves the hidden number of men. So then the weighted figures
    are published only beside that breakdown shown whole (every count and the number who
    answered), when the weights add nothing a reader does not already know. Raked on two
    or more questions that each set weights, the weights follow from the cross-table of
    their answers, which is never published: one equation in its many cells, which add
    up to the published breakdowns, leaves each hidden count among the values the
    auditor already found possible.

    A weighted share adds nothing about the question's own hidden cells: it depends on
    each respondent's answer only through whether it is positive, so beside the
    published positive count (a weighted share is shown only where the unweighted one
    is) it cannot tell apart the answers within the positive or within the rest.
    """
    if sum(1 for row in rows if _informative(row)) >= 2:
        return []
    return [i for i, row in enumerate(rows) if row is None or row.answered is None or row.hidden]
