"""The arithmetic of judging an operation on recorded crime, on plain counts.

**Weighted Displacement Quotient** (Bowers, K. J. and Johnson, S. D. (2003) "Measuring
the geographical displacement and diffusion of benefit effects of crime prevention
activity", *Journal of Quantitative Criminology* 19(3), 275-301). With A the operation
(target) area, B the buffer, C the comparison (control) area, 0 before and 1 after::

    success measure       SM  = A1/C1 - A0/C0      (below zero: A improved relative to C)
    displacement measure  DM  = B1/C1 - B0/C0      (above zero: B worsened relative to C)
    WDQ = DM / SM

The quotient only means something when the operation area improved relative to the
comparison area (SM < 0); otherwise there is no effect to be displaced and it is refused.
Bowers and Johnson's reading: above 1, diffusion of benefits greater than the direct
effect; 0 to 1, diffusion; 0, neither; 0 to -1, displacement smaller than the direct
effect (a net gain); below -1, displacement greater than the direct effect (a net loss).
Their **total net effect** in crimes is (A0·C1/C0 - A1) + (B0·C1/C0 - B1).

**Difference in differences on counts**: the rate ratio of rate ratios
RRR = (A1/A0) / (C1/C0), with a 95% interval exp(log RRR ± 1.96·SE) where
SE = sqrt(φ·(1/A0 + 1/A1 + 1/C0 + 1/C1)). φ allows for overdispersion: monthly counts
of crime vary more than a Poisson count would, so φ is the Pearson statistic of the
monthly series about each area's mean in each period, over its degrees of freedom
(months - 4), and never less than 1. This is the quasi-Poisson model with an area, a
period and their interaction, whose interaction term is log RRR.
"""

import math
from dataclasses import dataclass

Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Counts:
    """Recorded crimes in each area, before and after."""

    operation_before: int
    operation_after: int
    buffer_before: int
    buffer_after: int
    comparison_before: int
    comparison_after: int


@dataclass(frozen=True)
class Quotient:
    """The Weighted Displacement Quotient, or why there is none (``refused``)."""

    success_measure: float | None
    displacement_measure: float | None
    value: float | None
    reading: str
    refused: str = ""
    total_net_effect: float | None = None


@dataclass(frozen=True)
class RatioInterval:
    """A rate ratio of rate ratios with its 95% interval, or why there is none."""

    ratio: float | None
    lower: float | None
    upper: float | None
    dispersion: float
    refused: str = ""

    @property
    def excludes_no_change(self) -> bool:
        return self.ratio is not None and (self.upper < 1 or self.lower > 1)

    @property
    def percent_change(self) -> float | None:
        return None if self.ratio is None else 100 * (self.ratio - 1)


READINGS = [
    (lambda q: q > 1, "Diffusion of benefits greater than the direct effect"),
    (lambda q: 0 < q <= 1, "Diffusion of benefits"),
    (lambda q: q == 0, "Neither displacement nor diffusion of benefits"),
    (lambda q: -1 <= q < 0, "Displacement smaller than the direct effect (a net gain)"),
    (lambda q: q < -1, "Displacement greater than the direct effect (a net loss)"),
]


def reading_of(quotient: float) -> str:
    """Bowers and Johnson's reading of a quotient."""
    return next(words for test, words in READINGS if test(quotient))


def weighted_displacement_quotient(counts: Counts) -> Quotient:
    a0, a1 = counts.operation_before, counts.operation_after
    b0, b1 = counts.buffer_before, counts.buffer_after
    c0, c1 = counts.comparison_before, counts.comparison_after
    if c0 == 0 or c1 == 0:
        return Quotient(
            None,
            None,
            None,
            "",
            refused="The comparison area recorded no crimes of these types in one of the "
            "periods, so nothing can be measured relative to it.",
        )
    success = a1 / c1 - a0 / c0
    displacement = b1 / c1 - b0 / c0
    if success >= 0:
        return Quotient(
            success,
            displacement,
            None,
            "",
            refused=(
                "The operation area did not improve relative to the comparison area "
                f"(success measure {success:+.3f}; it must be below zero), so there is no "
                "effect that could have been displaced: the quotient would be undefined "
                "or meaningless, and is not given."
            ),
        )
    quotient = displacement / success
    net = (a0 * c1 / c0 - a1) + (b0 * c1 / c0 - b1)
    return Quotient(success, displacement, quotient, reading_of(quotient), total_net_effect=net)


def dispersion(series: list[tuple[list[int], list[int]]]) -> float:
    """φ: the Pearson statistic of each area's monthly counts about its mean in each
    period, over months minus the number of means; 1 at least (and when there are too
    few months to tell). ``series`` holds (months before, months after) per area."""
    statistic, months, means = 0.0, 0, 0
    for periods in series:
        for counts in periods:
            if not counts:
                continue
            mean = sum(counts) / len(counts)
            months += len(counts)
            means += 1
            if mean > 0:
                statistic += sum((y - mean) ** 2 for y in counts) / mean
    freedom = months - means
    if freedom <= 0:
        return 1.0
    return max(1.0, statistic / freedom)


def rate_ratio_of_rate_ratios(
    *, treated: tuple[int, int], control: tuple[int, int], phi: float = 1.0
) -> RatioInterval:
    """(treated after / treated before) / (control after / control before), with its
    95% interval allowing for overdispersion ``phi``."""
    counts = [*treated, *control]
    if min(counts) == 0:
        return RatioInterval(
            None,
            None,
            None,
            phi,
            refused="One of the four counts is zero, so the ratio of changes is undefined.",
        )
    (t0, t1), (c0, c1) = treated, control
    log_ratio = math.log((t1 / t0) / (c1 / c0))
    se = math.sqrt(phi * sum(1 / n for n in counts))
    return RatioInterval(
        math.exp(log_ratio),
        math.exp(log_ratio - Z_95 * se),
        math.exp(log_ratio + Z_95 * se),
        phi,
    )


def percent_change(before: int, after: int, *, months_before: int, months_after: int):
    """The change in the monthly rate, in percent (periods may differ in length)."""
    if before == 0 or months_before == 0 or months_after == 0:
        return None
    return 100 * ((after / months_after) / (before / months_before) - 1)
