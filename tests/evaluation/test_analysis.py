"""The evaluation of constructed data, worked through by hand.

Constructed drug offences (conftest.py), six months before and six after:

    operation area A:  A0 = 35+5+30+10+25+15 = 120,   A1 = 20+0+15+5+12+8  = 60
    buffer B:          B0 = 15+12+14+13+13+13 = 80,   B1 = 12+12+11+12+12+11 = 70
    comparison C:      C0 = 50+20+45+25+40+20 = 200,  C1 = 45+15+40+20+35+25 = 180

Weighted Displacement Quotient (Bowers and Johnson, 2003):
    success measure       SM = A1/C1 - A0/C0 = 60/180 - 120/200 = 0.333333 - 0.6 = -0.266667
    displacement measure  DM = B1/C1 - B0/C0 = 70/180 - 80/200  = 0.388889 - 0.4 = -0.011111
    WDQ = DM / SM = -0.011111 / -0.266667 = 0.041667 -> "0.04", diffusion of benefits (0 to 1)
    total net effect = (A0*C1/C0 - A1) + (B0*C1/C0 - B1) = (108 - 60) + (72 - 70) = 50

Difference in differences (rate ratio of rate ratios):
    RRR = (A1/A0) / (C1/C0) = 0.5 / 0.9 = 0.555556;  log RRR = -0.587787
    Overdispersion, Pearson X2 of each series about its period's mean:
      A before, mean 20: (225+225+100+100+25+25)/20 = 35
      A after,  mean 10: (100+100+25+25+4+4)/10     = 25.8
      C before, mean 33.333: (277.78+177.78+136.11+69.44+44.44+177.78)/33.333 = 26.5
      C after,  mean 30: (225+225+100+100+25+25)/30 = 23.333
      phi = (35 + 25.8 + 26.5 + 23.333) / (24 months - 4 means) = 110.633 / 20 = 5.531667
    SE = sqrt(phi * (1/120 + 1/60 + 1/200 + 1/180)) = sqrt(5.531667 * 0.0355556) = 0.443487
    95% interval = exp(-0.587787 -+ 1.959964 * 0.443487) = 0.2329 to 1.3250
So the quotient reads as diffusion, but the fall relative to the comparison area is within
month-to-month variation, and so is the buffer's change: the page says so.
"""

import math

import pytest

from evaluation import analysis
from evaluation.selectors import careful_reading, evaluation_build

from .conftest import BEFORE, OPERATION

pytestmark = pytest.mark.django_db


def test_the_quotient_and_the_difference_in_differences_match_the_worked_numbers(constructed):
    result = evaluation_build(constructed)
    overall = result.overall
    assert overall.counts == analysis.Counts(120, 60, 80, 70, 200, 180)

    q = overall.quotient
    assert q.success_measure == pytest.approx(-0.266667, abs=1e-6)
    assert q.displacement_measure == pytest.approx(-0.011111, abs=1e-6)
    assert q.value == pytest.approx(0.041667, abs=1e-6)
    assert f"{q.value:.2f}" == "0.04"
    assert q.reading == "Diffusion of benefits"
    assert q.total_net_effect == pytest.approx(50)

    d = overall.did
    assert d.ratio == pytest.approx(0.555556, abs=1e-6)
    assert d.dispersion == pytest.approx(5.531667, abs=1e-6)
    assert d.lower == pytest.approx(0.2329, abs=1e-4)
    assert d.upper == pytest.approx(1.3250, abs=1e-4)
    assert not d.excludes_no_change
    assert careful_reading(overall).startswith("Neither")
    assert "within what month-to-month variation gives" in result.conclusion
    assert "0.04 (diffusion of benefits" in result.conclusion

    # The other chosen type, anti-social behaviour, has no records: refused, with reason.
    (drugs, asb) = result.by_type
    assert drugs.counts == overall.counts
    assert (
        asb.quotient.value is None and "comparison area recorded no crimes" in asb.quotient.refused
    )


def test_the_interval_is_the_quasi_poisson_models(constructed):
    """The same interval from statsmodels: a Poisson GLM of the 24 monthly counts with
    area, period and their interaction, its scale estimated by Pearson's X2."""
    import numpy as np
    import statsmodels.api as sm

    from .conftest import COMPARISON

    counts, area, after = [], [], []
    for is_operation, series in ((1, OPERATION), (0, COMPARISON)):
        for period, months in enumerate(series):
            counts += months
            area += [is_operation] * len(months)
            after += [period] * len(months)
    area, after = np.array(area), np.array(after)
    design = sm.add_constant(np.column_stack([area, after, area * after]))
    fit = sm.GLM(np.array(counts), design, family=sm.families.Poisson()).fit(scale="X2")
    low, high = np.exp(fit.conf_int()[3])
    d = evaluation_build(constructed).overall.did
    assert math.exp(fit.params[3]) == pytest.approx(d.ratio)
    assert (low, high) == (pytest.approx(d.lower), pytest.approx(d.upper))


@pytest.mark.parametrize(
    ("counts", "reason"),
    [
        # A rose while C fell: SM = 130/180 - 120/200 = +0.122 (no improvement).
        (
            analysis.Counts(120, 130, 80, 70, 200, 180),
            "did not improve relative to the comparison area (success measure +0.122",
        ),
        # A level with C: SM = 108/180 - 120/200 = 0.
        (analysis.Counts(120, 108, 80, 70, 200, 180), "success measure +0.000"),
        (analysis.Counts(120, 60, 80, 70, 0, 180), "comparison area recorded no crimes"),
    ],
)
def test_an_undefined_quotient_is_refused_with_the_reason(counts, reason):
    quotient = analysis.weighted_displacement_quotient(counts)
    assert quotient.value is None
    assert reason in quotient.refused


@pytest.mark.parametrize(
    ("value", "reading"),
    [
        (1.5, "Diffusion of benefits greater than the direct effect"),
        (0.5, "Diffusion of benefits"),
        (0, "Neither displacement nor diffusion of benefits"),
        (-0.5, "Displacement smaller than the direct effect (a net gain)"),
        (-1.5, "Displacement greater than the direct effect (a net loss)"),
    ],
)
def test_bowers_and_johnsons_readings(value, reading):
    assert analysis.reading_of(value) == reading


def test_displacement_is_read_as_displacement():
    # A: 100 -> 50, B: 100 -> 140, C: 100 -> 100.
    # SM = 0.5 - 1 = -0.5; DM = 1.4 - 1 = 0.4; WDQ = 0.4 / -0.5 = -0.8.
    quotient = analysis.weighted_displacement_quotient(analysis.Counts(100, 50, 100, 140, 100, 100))
    assert quotient.value == pytest.approx(-0.8)
    assert quotient.reading == "Displacement smaller than the direct effect (a net gain)"


def test_a_boundary_counts_points_and_lsoa_codes_count_without_one(constructed):
    """Buffer crimes are placed by their map point inside the generated ring; the
    comparison area's by LSOA code alone; crimes elsewhere in the force nowhere."""
    result = evaluation_build(constructed)
    assert result.series["buffer"][: len(BEFORE)] == [15, 12, 14, 13, 13, 13]
    assert result.series["operation"][: len(BEFORE)] == OPERATION[0]
    assert result.missing_months == []
    assert [f["reported_by"] for f in result.forces] == ["Harbridge Constabulary"]


def test_a_month_not_imported_is_said_to_be_missing(constructed):
    from evaluation.models import CrimeMonth

    CrimeMonth.objects.filter(month=BEFORE[2]).update(status=CrimeMonth.LOADING)
    result = evaluation_build(constructed)
    assert result.missing_months == [BEFORE[2]]
    assert any("No police.uk data is imported for 1 month(s)" in w for w in result.warnings)
    assert result.series["operation"][2] == 0  # a month still loading is never counted


def test_drug_offences_carry_the_enforcement_caveat(constructed):
    result = evaluation_build(constructed)
    assert any("rise with proactive policing" in caveat for caveat in result.caveats)
    assert any("regression to the mean" in caveat for caveat in result.caveats)


def test_areas_sharing_an_lsoa_count_its_crimes_once_and_say_so(constructed):
    comparison = constructed.comparison_area
    comparison.lsoa_codes_2021 = "E01033333 E01011111"  # the operation area's LSOA too
    comparison.save()
    result = evaluation_build(constructed)
    assert result.overall.counts.operation_before == 120  # still the operation area's
    assert result.overall.counts.comparison_before == 200
    assert result.warnings[0] == (
        "The operation area and the comparison area share 1 LSOA(s) (E01011111): their "
        "crimes count in the operation area only."
    )
