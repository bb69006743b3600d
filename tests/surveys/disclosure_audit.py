"""An auditor for published breakdowns: can a reader pin down a hidden count?

It plays the reader. It knows everything a breakdown publishes (``wave_answers_publish``:
visible counts, percentages, the number who answered, the positive share, its base and
interval) and the published rules (by running ``wave_answers_publish`` itself on every
candidate). A candidate table is *consistent* when it publishes exactly what the real
table published. For each hidden cell the auditor looks for consistent tables giving it
different values; a cell with fewer than two is a disclosure.

The search is exhaustive: every candidate in the space a reader cannot rule out by
arithmetic alone (hidden counts adding up to the visible total, or for multiple choice
each at most the number who answered and all of them at least that number), tried in
order of closeness to the real table so that two witnesses are usually found at once.
"""

from itertools import count

from surveys.blocks import Question
from surveys.selectors import wave_answers_publish


def _publication(question, values, cells, answered, threshold, partner=None):
    published = wave_answers_publish(
        question, values, dict(zip(values, cells, strict=True)), answered, threshold, partner
    )
    return (
        published.answered,
        tuple((c.count, c.percent) for c in published.cells),
        published.positive,
        published.base,
        published.share,
        published.share_low,
        published.share_high,
    )


def _near(real: int, low: int, high: int, threshold: int):
    """Every integer from low to high: ``real`` and its neighbours first, then the values
    either side of the threshold and the ends (where the rules change their mind), then
    the rest, nearest first."""
    real = min(max(real, low), high)
    first = [real, real + 1, real - 1, threshold - 1, threshold, low, high]
    seen = set()
    for v in first:
        if low <= v <= high and v not in seen:
            seen.add(v)
            yield v
    for step in count(2):
        below, above = real - step, real + step
        if below < low and above > high:
            return
        for v in (above, below):
            if low <= v <= high and v not in seen:
                yield v


def feasible_values(
    question: Question,
    counts: list[int],
    *,
    answered: int,
    threshold: int,
    partner=None,
    want: int = 2,
) -> dict[int, set[int]]:
    """For each hidden cell (by index), the values found in consistent tables: at least
    ``want`` of them when that many exist, otherwise every value that is possible.

    ``partner`` is the secret partner choice that published the real table. The reader
    does not know it, so a candidate is consistent when *some* choice of partners would
    publish the same: the auditor offers the rules a chooser that takes a cell hidden in
    the real publication whenever it can.
    """
    values = [v for v, _ in question.options]
    real = _publication(question, values, counts, answered, threshold, partner)
    hidden = [i for i, (shown, _) in enumerate(real[1]) if shown is None]

    def any_partner(candidates):
        return next((i for i in candidates if i in hidden), candidates[0])

    if not hidden:
        return {}
    answered_known = real[0] is not None
    answered_range = [answered] if answered_known else list(range(threshold))
    found: dict[int, set[int]] = {i: {counts[i]} for i in hidden}
    visible_sum = sum(c for i, c in enumerate(counts) if i not in hidden)

    def consistent(total, cells):
        return _publication(question, values, cells, total, threshold, any_partner) == real

    def domain(real_value, high, quick):
        values = _near(real_value, 0, high, threshold)
        if quick:
            # A first, cheap pass: each cell keeps its value, moves by one, or jumps to
            # either side of the threshold or an end.
            return [v for _, v in zip(range(7), values, strict=False)]
        return values

    def completions(total, fixed: dict[int, int], quick=False):
        """Consistent tables with the given answered total and some cells fixed."""
        free = [i for i in hidden if i not in fixed]
        cells = list(counts)
        for i, v in fixed.items():
            cells[i] = v
        if question.multiple:
            yield from _multiple(total, cells, free, quick)
        else:
            target = total - visible_sum - sum(fixed.values())
            yield from _additive(total, cells, free, target, quick)

    def _additive(total, cells, free, target, quick):
        if target < 0:
            return
        if not free:
            if target == 0 and consistent(total, cells):
                yield list(cells)
            return
        first, rest = free[0], free[1:]
        if not rest:
            cells[first] = target
            if consistent(total, cells):
                yield list(cells)
            return
        for v in domain(counts[first], target, quick):
            cells[first] = v
            yield from _additive(total, cells, rest, target - v, quick)

    def _multiple(total, cells, free, quick):
        if not free:
            ticks = sum(cells)
            if (ticks >= total if total else ticks == 0) and consistent(total, cells):
                yield list(cells)
            return
        first, rest = free[0], free[1:]
        for v in domain(counts[first], total, quick):
            cells[first] = v
            yield from _multiple(total, cells, rest, quick)

    def search(quick):
        for i in hidden:
            for total in answered_range:
                high = total if question.multiple else max(total - visible_sum, 0)
                for v in domain(counts[i], high, quick):
                    if len(found[i]) >= want:
                        break
                    if v in found[i]:
                        continue
                    witness = next(completions(total, {i: v}, quick), None)
                    if witness is not None:
                        for j in hidden:
                            found[j].add(witness[j])

    # The cheap pass usually finds two values for every cell; the full pass settles the
    # rest by trying every candidate.
    search(quick=True)
    search(quick=False)
    return found


def disclosed_cells(question, counts, *, answered, threshold, partner=None) -> dict[int, set[int]]:
    """Hidden cells a reader could narrow to a single value, with that value."""
    found = feasible_values(
        question, counts, answered=answered, threshold=threshold, partner=partner
    )
    return {i: v for i, v in found.items() if len(v) < 2}
