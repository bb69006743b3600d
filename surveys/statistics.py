"""The statistics of a baseline/follow-up comparison, with no dependency beyond the
standard library.

One rule decides everything said about a change, so the verdict, the p-value and the
interval never disagree:

- Each wave's share gets a Wilson score interval; the change between two independent
  shares gets Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation for
  the difference between independent proportions", method 10).
- The p-value is the one that matches that interval: the smallest two-sided level at
  which Newcombe's interval excludes no change. So p < 0.05 exactly when the 95% interval
  excludes zero.
- With several questions the p-values are adjusted by Holm's step-down method, the
  verdict uses the adjusted value, and each interval is widened to the level of the
  question's Holm step (or of the step where the method stopped), so an interval
  excludes zero exactly when the adjusted p-value is below 0.05.
- The smallest detectable change is the standard power calculation for comparing two
  independent proportions with a two-sided z-test (Fleiss, "Statistical Methods for
  Rates and Proportions": the pooled variance under no change, each wave's own variance
  under the change): the smallest change from the baseline share, up or down, that the
  two samples would detect with 80% power at the level the question is tested at (5%, or
  Holm's stricter level when several questions are compared).
- A comparison area's change is taken from the operation area's: the difference in
  differences, with the MOVER / square-and-add interval (Newcombe 2001; Zou & Donner
  2008), which combines the four Wilson intervals of the shares.
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

ALPHA = 0.05
POWER = 0.80
_NORMAL = NormalDist()
Z_95 = _NORMAL.inv_cdf(1 - ALPHA / 2)


def z_for(alpha: float) -> float:
    """The two-sided critical value of a standard normal at level ``alpha``."""
    return _NORMAL.inv_cdf(1 - alpha / 2)


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def wilson_interval(x: int, n: int, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for x successes out of n."""
    if n <= 0:
        raise ValueError("A proportion needs at least one answer.")
    p = x / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe_interval(x1: int, n1: int, x2: int, n2: int, z: float = Z_95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p1 − p2."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson_interval(x1, n1, z)
    l2, u2 = wilson_interval(x2, n2, z)
    d = p1 - p2
    lower = d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    upper = d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return lower, upper


def newcombe_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value matching Newcombe's interval for p1 − p2: the level at which the
    interval's nearer end touches zero. Wilson intervals widen steadily with z, so below
    that level the interval excludes zero and above it includes it."""
    d = x1 / n1 - x2 / n2
    if d == 0:
        return 1.0

    def excludes_zero(z):
        lower, upper = newcombe_interval(x1, n1, x2, n2, z)
        return lower > 0 if d > 0 else upper < 0

    low, high = 0.0, 1.0
    while excludes_zero(high):
        high *= 2
        if high > 64:
            return 0.0
    for _ in range(80):
        mid = (low + high) / 2
        if excludes_zero(mid):
            low = mid
        else:
            high = mid
    return min(1.0, 2 * normal_sf((low + high) / 2))


def holm_adjust(p_values: list[float]) -> tuple[list[float], list[float]]:
    """Holm-adjusted p-values, and for each question the level its interval is drawn at.

    The adjusted value of the r-th smallest p-value (of m) is the largest of
    (m − j + 1) × p_j over j ≤ r, at most 1. The interval level is α / (m − r + 1) for
    questions before the step where the method stops, and that step's level for the rest,
    so each interval excludes zero exactly when its adjusted p-value is below α.
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    levels = [ALPHA] * m
    running = 0.0
    stopped_at = None
    for rank, i in enumerate(order):
        step = m - rank  # m − r + 1 with r counted from 1
        running = max(running, min(1.0, step * p_values[i]))
        adjusted[i] = running
        if stopped_at is None and p_values[i] >= ALPHA / step:
            stopped_at = step
        levels[i] = ALPHA / (stopped_at or step)
    return adjusted, levels


def power_two_proportions(p1: float, p2: float, n1: int, n2: int, alpha: float = ALPHA) -> float:
    """Power of the two-sided two-proportion z-test of p1 against p2 (pooled variance
    under no change, unpooled under the change), both tails counted."""
    pooled = (n1 * p1 + n2 * p2) / (n1 + n2)
    se0 = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    se1 = math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)
    if se1 == 0:
        return 1.0 if p1 != p2 else 0.0
    z = z_for(alpha)
    d = abs(p2 - p1)
    return _NORMAL.cdf((d - z * se0) / se1) + _NORMAL.cdf((-d - z * se0) / se1)


def minimum_detectable_difference(
    n1: int, n2: int, p: float, *, alpha: float = ALPHA, power: float = POWER
) -> float:
    """Smallest change from a baseline share ``p`` (up or down, whichever needs more)
    that samples of n1 (baseline) and n2 (follow-up) would detect with ``power``.

    A share of exactly 0 or 1 is treated as 0.5, the most demanding case, since no spread
    can be estimated from it. A change that would take the share past 0 or 1 cannot
    happen; if no possible change reaches the power, the answer is the whole way to 0 or 1.
    """
    if p <= 0 or p >= 1:
        p = 0.5
    needed = []
    for sign, room in ((1, 1 - p), (-1, p)):
        if power_two_proportions(p, p + sign * room, n1, n2, alpha) < power:
            needed.append(room)
            continue
        low, high = 0.0, room
        for _ in range(60):
            mid = (low + high) / 2
            if power_two_proportions(p, p + sign * mid, n1, n2, alpha) >= power:
                high = mid
            else:
                low = mid
        needed.append(high)
    return max(needed)


@dataclass(frozen=True)
class Change:
    """A follow-up share against a baseline share, with the interval at ``level``."""

    baseline_share: float
    follow_up_share: float
    difference: float  # follow-up minus baseline
    lower: float
    upper: float
    p_value: float  # before adjustment
    adjusted_p_value: float
    confidence: float  # e.g. 0.95, or more after a Holm adjustment
    minimum_detectable: float

    @property
    def significant(self) -> bool:
        return self.adjusted_p_value < ALPHA


def change_between(
    x_base: int,
    n_base: int,
    x_follow: int,
    n_follow: int,
    *,
    adjusted_p_value: float | None = None,
    alpha: float = ALPHA,
) -> Change:
    p = newcombe_p_value(x_follow, n_follow, x_base, n_base)
    lower, upper = newcombe_interval(x_follow, n_follow, x_base, n_base, z_for(alpha))
    return Change(
        baseline_share=x_base / n_base,
        follow_up_share=x_follow / n_follow,
        difference=x_follow / n_follow - x_base / n_base,
        lower=lower,
        upper=upper,
        p_value=p,
        adjusted_p_value=p if adjusted_p_value is None else adjusted_p_value,
        confidence=1 - alpha,
        # At the level this question is tested at (Holm's, with several questions), so
        # "no change detectable" never quotes a size the test could not have seen.
        minimum_detectable=minimum_detectable_difference(
            n_base, n_follow, x_base / n_base, alpha=alpha
        ),
    )


def changes_between(counts: list[tuple[int, int, int, int]]) -> list[Change]:
    """The changes of several questions (baseline x, n, follow-up x, n), adjusted for
    multiple comparisons by Holm's method when there is more than one."""
    p_values = [newcombe_p_value(xf, nf, xb, nb) for xb, nb, xf, nf in counts]
    adjusted, levels = holm_adjust(p_values)
    return [
        change_between(*c, adjusted_p_value=a, alpha=level)
        for c, a, level in zip(counts, adjusted, levels, strict=True)
    ]


@dataclass(frozen=True)
class DifferenceInDifferences:
    """The operation area's change minus the comparison area's, with a 95% interval."""

    operation_change: float
    comparison_change: float
    difference: float
    lower: float
    upper: float

    @property
    def excludes_zero(self) -> bool:
        return self.lower > 0 or self.upper < 0


def difference_in_differences(
    operation: tuple[int, int, int, int], comparison: tuple[int, int, int, int], z: float = Z_95
) -> DifferenceInDifferences:
    """(baseline x, n, follow-up x, n) in each area → the difference in differences.

    MOVER square-and-add: each area's change has Newcombe's interval (L, U); for
    D = d₁ − d₂ the interval is D − √((d₁ − L₁)² + (U₂ − d₂)²) to
    D + √((U₁ − d₁)² + (d₂ − L₂)²).
    """
    xb1, nb1, xf1, nf1 = operation
    xb2, nb2, xf2, nf2 = comparison
    d1 = xf1 / nf1 - xb1 / nb1
    d2 = xf2 / nf2 - xb2 / nb2
    l1, u1 = newcombe_interval(xf1, nf1, xb1, nb1, z)
    l2, u2 = newcombe_interval(xf2, nf2, xb2, nb2, z)
    d = d1 - d2
    return DifferenceInDifferences(
        operation_change=d1,
        comparison_change=d2,
        difference=d,
        lower=d - math.sqrt((d1 - l1) ** 2 + (u2 - d2) ** 2),
        upper=d + math.sqrt((u1 - d1) ** 2 + (d2 - l2) ** 2),
    )
