"""Small-count suppression that survives arithmetic.

A reader of a published breakdown sees the visible cells, the number who answered, the
positive share with its base (from which the positive count follows), percentages, the
rules below, and, for multiple-choice questions, that everyone who answered ticked at
least one answer. From all of that, no hidden count may be worked out exactly or narrowed
to a single value. The rules, published on the comparison page and in the README:

1. When fewer than ``threshold`` people answered, the whole breakdown and the number
   who answered are hidden ("fewer than 10").
2. Every count below the threshold is hidden, zero included. A zero is hidden because,
   beside a known total, "nobody" pins the other hidden cells as surely as a small count.
3. The positive share is shown only when both the positive count and the rest are at
   least the threshold, so neither of the two sub-totals it reveals is small.
4. In every total a reader can see (the number who answered, and with the share the
   positive count and the rest), if any cell is hidden, one more cell of that total is
   hidden with it (the partner), picked among the cells at or above the threshold in an
   order drawn from the site's secret key for that wave and question. A rule such as
   "the smallest visible cell" would tell the reader the partner is at most the next
   visible one; a drawn order tells nothing, so the hidden cells always include one at
   or above the threshold whose value a reader cannot bound beyond the arithmetic.

``tests/surveys/disclosure_audit.py`` checks this: for a published breakdown it searches
every table that would publish the same thing under these rules and asserts each hidden
cell can take at least two values; a property-based test runs it over thousands of
generated tables.
"""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

# Given the indices of the cells that could partner a hidden one, the one to hide.
PartnerChoice = Callable[[list[int]], int]


@dataclass(frozen=True)
class SuppressedRow:
    shown: tuple[bool, ...]
    share_shown: bool
    answered_shown: bool


def suppress_row(
    counts: list[int],
    *,
    threshold: int,
    answered: int | None = None,
    positive: list[bool] | None = None,
    additive: bool = True,
    partner: PartnerChoice | None = None,
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
    if answered is None:
        answered = sum(counts)
    if answered < threshold:
        return SuppressedRow(shown=(False,) * len(counts), share_shown=False, answered_shown=False)
    hidden = [count < threshold for count in counts]

    share_shown = bool(additive and positive and any(positive) and not all(positive))
    if share_shown:
        positive_count = sum(c for c, p in zip(counts, positive, strict=True) if p)
        share_shown = positive_count >= threshold and answered - positive_count >= threshold
    if share_shown:
        totals = [
            [i for i, p in enumerate(positive) if p],
            [i for i, p in enumerate(positive) if not p],
        ]
    else:
        totals = [list(range(len(counts)))]

    for cells in totals:
        if any(hidden[i] for i in cells):
            visible = [i for i in cells if not hidden[i]]
            if visible:
                hidden[partner(visible)] = True
    return SuppressedRow(
        shown=tuple(not h for h in hidden), share_shown=share_shown, answered_shown=True
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
