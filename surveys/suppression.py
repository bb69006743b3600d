"""Small-count suppression decided by the exact auditor (``surveys.disclosure``).

A reader of a published breakdown sees the shown cells, the number who answered, the
positive share with its base (from which the positive count follows), percentages and
charts of those, and the rules below. The rules, published on the comparison page and in
the README:

1. When fewer than ``threshold`` people answered, the whole breakdown and the number
   who answered are hidden ("fewer than 10").
2. Every count below the threshold is hidden, zero included.
3. The positive share is shown only when both the positive count and the rest are at
   least the threshold.
4. In every total a reader can see (the number who answered, and with the share the
   positive count and the rest), if any cell is hidden, one more cell of that total is
   hidden with it (the partner), picked among the shown cells in an order drawn from the
   site's secret key for that wave and question.
5. Then the exact auditor works out every value each hidden cell could take from all of
   the above; while any hidden cell has fewer than three possible values, one more cell
   of the totals it sits in is hidden, in the same order. Only a breakdown the auditor
   passes is published; one it cannot pass even with a total's cells all hidden is
   withheld whole (it has never happened with real tables; the tests try).

Every screen, chart, export and published page takes its figures from
``surveys.selectors.wave_answers_publish``, which applies these rules.
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from .disclosure import MIN_POSSIBLE_VALUES, PublishedRow, audit_row

# Given the indices of the cells that could partner a hidden one, the one to hide.
PartnerChoice = Callable[[list[int]], int]


@dataclass(frozen=True)
class SuppressedRow:
    shown: tuple[bool, ...]
    share_shown: bool
    answered_shown: bool
    # Withheld whole: nothing of it is shown, not even "fewer than the threshold".
    withheld: bool = False


def suppress_row(
    counts: list[int],
    *,
    threshold: int,
    answered: int | None = None,
    positive: list[bool] | None = None,
    additive: bool = True,
    partner: PartnerChoice | None = None,
    min_values: int = MIN_POSSIBLE_VALUES,
) -> SuppressedRow:
    """Which parts of one wave's answers to one question may be published.

    ``answered`` is the number of people who answered (for a multiple-choice question,
    who ticked at least one answer; otherwise the sum of the counts). ``positive`` marks
    the cells making up the positive share; without it there is no share. ``additive`` is
    False for multiple-choice questions, whose ticks add up to at least ``answered``.
    ``partner`` picks each partner (``partner_order`` gives the one Signpost uses); by
    default the first candidate.
    """
    partner = partner or min
    n = len(counts)
    if answered is None:
        answered = sum(counts)
    if answered < threshold:
        return SuppressedRow(shown=(False,) * n, share_shown=False, answered_shown=False)
    hidden = [count < threshold for count in counts]
    positive = list(positive) if positive else [False] * n
    share_shown = bool(additive and any(positive) and not all(positive))
    if share_shown:
        positive_count = sum(c for c, p in zip(counts, positive, strict=True) if p)
        share_shown = positive_count >= threshold and answered - positive_count >= threshold
    if share_shown:
        totals = [[i for i in range(n) if positive[i]], [i for i in range(n) if not positive[i]]]
    else:
        totals = [list(range(n))]

    def hide_partner(cells) -> bool:
        visible = [i for i in cells if not hidden[i]]
        if not visible:
            return False
        hidden[partner(visible)] = True
        return True

    for cells in totals:
        if any(hidden[i] for i in cells):
            hide_partner(cells)
    while True:
        row = PublishedRow(
            threshold=threshold,
            cells=tuple(None if h else c for h, c in zip(hidden, counts, strict=True)),
            positive=tuple(positive),
            answered=answered,
            positive_count=positive_count if share_shown else None,
            multiple=not additive,
        )
        exposed = audit_row(row, min_values=min_values).exposed
        if not exposed:
            return SuppressedRow(
                shown=tuple(not h for h in hidden), share_shown=share_shown, answered_shown=True
            )
        grew = [hide_partner(cells) for cells in totals if any(i in exposed for i in cells)]
        if not any(grew):
            return SuppressedRow(
                shown=(False,) * n, share_shown=False, answered_shown=False, withheld=True
            )


def partner_order(wave_id: int, question_key: str, values: list[str]) -> PartnerChoice:
    """The partner choice for one wave's answers to one question: the candidate whose
    answer comes first in an order keyed by the site's secret, so a reader can neither
    predict nor invert it, and every screen and export of the breakdown agrees."""
    key = settings.SECRET_KEY.encode()

    def rank(i: int) -> bytes:
        message = f"{wave_id}\x1f{question_key}\x1f{values[i]}".encode()
        return hmac.new(key, message, hashlib.sha256).digest()

    return lambda candidates: min(candidates, key=rank)
