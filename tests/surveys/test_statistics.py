"""The comparison's statistics against independent references: scipy, statsmodels, and
the worked examples of Newcombe (1998), Statistics in Medicine 17:873–890, Table II,
method 10."""

import itertools
import math

import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import power_proportions_2indep, proportion_confint

from surveys.formatting import p_value_number, points_number, points_text
from surveys.statistics import (
    Z_95,
    change_between,
    changes_between,
    difference_in_differences,
    holm_adjust,
    minimum_detectable_difference,
    newcombe_interval,
    newcombe_p_value,
    wilson_interval,
    z_for,
)

# (x1, n1, x2, n2) → Newcombe's published hybrid score interval for p1 − p2.
NEWCOMBE_TABLE_II = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((0, 10, 0, 10), (-0.2775, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
    ((10, 10, 0, 10), (0.6075, 1.0000)),
]


@pytest.mark.parametrize(("counts", "expected"), NEWCOMBE_TABLE_II)
def test_newcombe_interval_matches_the_published_worked_examples(counts, expected):
    lower, upper = newcombe_interval(*counts)
    assert lower == pytest.approx(expected[0], abs=5e-5)
    assert upper == pytest.approx(expected[1], abs=5e-5)


@pytest.mark.parametrize(
    ("x", "n"), [(0, 10), (1, 10), (37, 120), (250, 500), (499, 500), (12, 12)]
)
def test_wilson_interval_matches_scipy(x, n):
    expected = stats.binomtest(x, n).proportion_ci(confidence_level=0.95, method="wilson")
    lower, upper = wilson_interval(x, n)
    assert lower == pytest.approx(expected.low, abs=1e-9)
    assert upper == pytest.approx(expected.high, abs=1e-9)


def test_the_p_value_and_the_interval_always_agree():
    """p < 0.05 exactly when the 95% interval excludes zero, over a grid of samples
    (the old pooled z-test disagreed with Newcombe's interval in many of these)."""
    for x1, x2 in itertools.product(range(0, 41, 3), repeat=2):
        for n1, n2 in ((40, 40), (45, 60)):
            change = change_between(x1, n1, x2, n2)
            excludes = change.lower > 0 or change.upper < 0
            assert (change.p_value < 0.05) == excludes, (x1, n1, x2, n2, change)


def test_at_the_p_value_the_interval_touches_zero():
    p = newcombe_p_value(56, 70, 48, 80)
    lower, _ = newcombe_interval(56, 70, 48, 80, z_for(p))
    assert lower == pytest.approx(0, abs=1e-9)
    assert newcombe_p_value(30, 60, 30, 60) == 1.0


def test_holm_adjustment_matches_statsmodels():
    p_values = [0.01, 0.04, 0.03, 0.005, 0.2, 0.012]
    adjusted, _ = holm_adjust(p_values)
    _, reference, _, _ = multipletests(p_values, alpha=0.05, method="holm")
    assert adjusted == pytest.approx(list(reference), abs=1e-12)


def test_holm_adjusted_intervals_exclude_zero_exactly_when_the_adjusted_p_does():
    counts = [
        (120, 300, 190, 300),  # a real change
        (100, 300, 104, 300),  # none
        (90, 300, 114, 300),  # borderline: p ≈ 0.04 before adjustment
        (60, 200, 82, 210),
    ]
    changes = changes_between(counts)
    raw = [newcombe_p_value(xf, nf, xb, nb) for xb, nb, xf, nf in counts]
    _, reference, _, _ = multipletests(raw, alpha=0.05, method="holm")
    for change, expected in zip(changes, reference, strict=True):
        assert change.adjusted_p_value == pytest.approx(expected)
        assert change.significant == (change.lower > 0 or change.upper < 0)
    assert changes[0].significant and not changes[1].significant
    # The borderline one passes alone and fails after adjusting for four questions.
    assert raw[2] < 0.05 and not changes[2].significant
    assert changes[0].confidence == pytest.approx(1 - 0.05 / 4)


@pytest.mark.parametrize(
    ("n1", "n2", "p"), [(300, 300, 0.4), (150, 420, 0.25), (1000, 900, 0.7), (40, 35, 0.05)]
)
def test_minimum_detectable_difference_has_80_percent_power_by_statsmodels(n1, n2, p):
    d = minimum_detectable_difference(n1, n2, p)
    # statsmodels: prop1 is the follow-up (n2), prop2 the baseline (n1).
    up = power_proportions_2indep(d, p, n2, ratio=n1 / n2).power
    assert up == pytest.approx(0.80, abs=1e-6) or up > 0.80
    if p - d > 0:
        down = power_proportions_2indep(-d, p, n2, ratio=n1 / n2).power
        assert down >= 0.80 - 1e-6
    assert min(up, down if p - d > 0 else 1) == pytest.approx(0.80, abs=1e-6)
    assert pytest.approx(stats.norm.isf(0.025), abs=1e-12) == Z_95


def test_the_old_common_variance_figure_had_less_than_80_percent_power():
    n1 = n2 = 300
    p = 0.4
    old = (Z_95 + stats.norm.isf(0.2)) * math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    assert power_proportions_2indep(old, p, n2, ratio=1).power < 0.79
    assert minimum_detectable_difference(n1, n2, p) > old


def test_difference_in_differences_matches_an_independent_mover_calculation():
    operation = (120, 300, 190, 300)
    comparison = (110, 280, 130, 290)
    did = difference_in_differences(operation, comparison)

    # Independently: statsmodels' Wilson intervals for the four shares, combined by MOVER
    # for the linear combination p1f − p1b − p2f + p2b (Zou & Donner 2008).
    def share(x, n):
        low, high = proportion_confint(x, n, alpha=0.05, method="wilson")
        return x / n, low, high

    p1b, l1b, u1b = share(120, 300)
    p1f, l1f, u1f = share(190, 300)
    p2b, l2b, u2b = share(110, 280)
    p2f, l2f, u2f = share(130, 290)
    d = p1f - p1b - p2f + p2b
    lower = d - math.sqrt((p1f - l1f) ** 2 + (u1b - p1b) ** 2 + (u2f - p2f) ** 2 + (p2b - l2b) ** 2)
    upper = d + math.sqrt((u1f - p1f) ** 2 + (p1b - l1b) ** 2 + (p2f - l2f) ** 2 + (u2b - p2b) ** 2)
    assert did.difference == pytest.approx(d)
    assert (did.lower, did.upper) == pytest.approx((lower, upper), abs=1e-9)
    # Reference figures worked by hand from the published Wilson formula.
    assert did.difference == pytest.approx(0.23333 - 0.05542, abs=1e-4)
    assert did.excludes_zero


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.176, "+17.6"),
        (-0.35, "−35.0"),
        (0.00004, "+0.004"),
        (-0.0000004, "−0.00004"),
        (0.0, "0.0"),
    ],
)
def test_points_never_print_minus_zero_or_hide_their_sign(value, text):
    assert points_number(value) == text


def test_one_point_is_singular():
    assert points_text(0.01) == "+1.0 points"
    assert points_text(0.0) == "0.0 points"


@pytest.mark.parametrize(
    ("p", "text"), [(0.0004, "< 0.001"), (0.04996, "0.04996"), (0.0501, "0.050"), (1.0, "1.000")]
)
def test_p_values_never_round_across_the_level(p, text):
    assert p_value_number(p) == text
