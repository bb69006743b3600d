"""The comparison's statistics against independent references: scipy, and the worked
examples of Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10."""

import math

import pytest
from scipy import stats

from surveys.statistics import (
    Z_95,
    change_between,
    minimum_detectable_difference,
    newcombe_interval,
    two_proportion_p_value,
    wilson_interval,
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


@pytest.mark.parametrize(
    "counts", [(56, 70, 48, 80), (120, 400, 150, 410), (30, 300, 31, 290), (5, 56, 1, 29)]
)
def test_p_value_matches_scipys_chi_squared_test_without_continuity_correction(counts):
    x1, n1, x2, n2 = counts
    table = [[x1, n1 - x1], [x2, n2 - x2]]
    expected = stats.chi2_contingency(table, correction=False).pvalue
    assert two_proportion_p_value(*counts) == pytest.approx(expected, rel=1e-9)


def test_p_value_is_one_when_nothing_varies():
    assert two_proportion_p_value(0, 50, 0, 60) == 1.0


@pytest.mark.parametrize(("n1", "n2", "p"), [(300, 300, 0.4), (150, 420, 0.25), (1000, 900, 0.7)])
def test_minimum_detectable_difference_has_80_percent_power(n1, n2, p):
    d = minimum_detectable_difference(n1, n2, p)
    se = math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))
    power = stats.norm.sf(stats.norm.isf(0.025) - d / se) + stats.norm.cdf(
        -stats.norm.isf(0.025) - d / se
    )
    assert power == pytest.approx(0.80, abs=1e-3)
    assert pytest.approx(stats.norm.isf(0.025), abs=1e-12) == Z_95


def test_change_is_follow_up_minus_baseline():
    change = change_between(48, 80, 56, 70)  # baseline 60%, follow-up 80%
    assert change.difference == pytest.approx(0.2)
    assert (change.lower, change.upper) == pytest.approx((0.0524, 0.3339), abs=5e-5)
    assert change.significant
    steady = change_between(100, 300, 104, 300)
    assert not steady.significant and steady.lower < 0 < steady.upper
