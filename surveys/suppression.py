"""Small-count suppression for published breakdowns.

Counts from 1 to threshold − 1 are hidden (primary suppression), and so is the positive
share when its numerator or the rest of its base is that small. Then enough further cells
are hidden (secondary suppression) that no hidden count can be worked out by subtracting
what is shown from a total that is shown: for every total a reader can see (the number
who answered and, when the positive share is shown, the positive count, the rest of
the share's base and the "don't know" count), either none or at least two of the cells
adding up to it are hidden.
"""

from dataclasses import dataclass


@dataclass
class SuppressedRow:
    shown: list[bool]
    share_shown: bool


def _small(count: int, threshold: int) -> bool:
    return 0 < count < threshold


def suppress_row(
    counts: list[int],
    *,
    threshold: int,
    groups: list[str] | None = None,
    additive: bool = True,
) -> SuppressedRow:
    """Which cells of one breakdown may be shown.

    ``groups`` names each cell's part of the positive share ("positive", "other",
    "excluded"); without it there is no share. ``additive`` is False for multiple-choice
    questions, whose cells do not add up to the total, so only primary suppression applies.
    """
    hidden = [_small(c, threshold) for c in counts]
    total = sum(counts)
    if not additive:
        return SuppressedRow(shown=[not h for h in hidden], share_shown=False)
    if _small(total, threshold):
        return SuppressedRow(shown=[False] * len(counts), share_shown=False)

    share_shown = groups is not None and "positive" in groups
    if share_shown:
        positive = sum(c for c, g in zip(counts, groups, strict=True) if g == "positive")
        rest = sum(c for c, g in zip(counts, groups, strict=True) if g == "other")
        share_shown = not (_small(positive, threshold) or _small(rest, threshold))

    changed = True
    while changed:
        changed = False
        if share_shown:
            parts = [
                [i for i, g in enumerate(groups) if g == name]
                for name in ("positive", "other", "excluded")
            ]
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
                # The part's total (known from the share) would reveal its one cell.
                share_shown = False
                changed = True
            if changed:
                break
    return SuppressedRow(shown=[not h for h in hidden], share_shown=share_shown)
