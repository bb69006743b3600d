"""The statistics of a baseline/follow-up comparison, with no dependency beyond math.

Proportions get Wilson score intervals; the change between two independent proportions
gets Newcombe's hybrid score interval (Newcombe 1998, "Interval estimation for the
difference between independent proportions", method 10), which behaves well with small
samples and shares near 0 or 1. The p-value is the two-sided two-proportion z-test with
a pooled variance (equal to Pearson's chi-squared test without continuity correction).
The minimum detectable difference is the change a sample of this size would detect
with 80% power at the 5% level, by the usual normal approximation.
"""

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054  # two-sided 5% level
Z_80_POWER = 0.8416212335729143  # one-sided 20%: 80% power


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


def two_proportion_p_value(x1: int, n1: int, x2: int, n2: int) -> float:
    """Two-sided p-value of the pooled two-proportion z-test."""
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = abs(x1 / n1 - x2 / n2) / se
    return min(1.0, 2 * normal_sf(z))


def minimum_detectable_difference(
    n1: int, n2: int, p: float, z_alpha: float = Z_95, z_power: float = Z_80_POWER
) -> float:
    """Smallest change in a share near p that samples of n1 and n2 would detect with 80%
    power at the 5% level (two-sided). A share of exactly 0 or 1 is treated as 0.5, the
    most conservative case, since no spread can be estimated from it."""
    if p <= 0 or p >= 1:
        p = 0.5
    return (z_alpha + z_power) * math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))


@dataclass(frozen=True)
class Change:
    """A follow-up share against a baseline share."""

    baseline_share: float
    follow_up_share: float
    difference: float  # follow-up minus baseline
    lower: float
    upper: float
    p_value: float
    minimum_detectable: float

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05 and (self.lower > 0 or self.upper < 0)


def change_between(x_base: int, n_base: int, x_follow: int, n_follow: int) -> Change:
    lower, upper = newcombe_interval(x_follow, n_follow, x_base, n_base)
    return Change(
        baseline_share=x_base / n_base,
        follow_up_share=x_follow / n_follow,
        difference=x_follow / n_follow - x_base / n_base,
        lower=lower,
        upper=upper,
        p_value=two_proportion_p_value(x_follow, n_follow, x_base, n_base),
        minimum_detectable=minimum_detectable_difference(n_base, n_follow, x_base / n_base),
    )
