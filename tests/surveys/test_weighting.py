"""Raking, effective sample sizes and weighted shares against a reference implementation.

The reference is samplics (``SampleWeight.rake`` for the weights, ``TaylorEstimator`` for
weighted proportions), pinned as a development dependency; Kish's effective sample size
and design effect are computed with numpy from samplics' weights. Samples are constructed
with a fixed seed, skewed the way letterbox surveys are (older residents and owners
answer more).
"""

import random
import warnings

import numpy as np
import pytest

from surveys.weighting import (
    Margin,
    design_effect,
    effective_sample_size,
    rake,
    weighted_share,
)

with warnings.catch_warnings():
    # samplics announces on import that it is archived; its raking is still the reference.
    warnings.simplefilter("ignore")
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam
    from samplics.weighting import SampleWeight

AGE = Margin("profile_age", {"16_34": 0.34, "35_64": 0.46, "65_plus": 0.20})
SEX = Margin("profile_sex", {"female": 0.51, "male": 0.49})
TENURE = Margin("profile_tenure", {"owned": 0.45, "social_rented": 0.30, "private_rented": 0.25})


def skewed_sample(n, seed):
    """Respondents over-representing older owners, with an outcome that depends on age."""
    rng = random.Random(seed)
    people = []
    for _ in range(n):
        age = rng.choices(["16_34", "35_64", "65_plus"], weights=[15, 45, 40])[0]
        sex = rng.choices(["female", "male"], weights=[60, 40])[0]
        tenure = rng.choices(["owned", "social_rented", "private_rented"], weights=[65, 20, 15])[0]
        safe = rng.random() < {"16_34": 0.6, "35_64": 0.45, "65_plus": 0.25}[age]
        people.append(({"profile_age": age, "profile_sex": sex, "profile_tenure": tenure}, safe))
    return people


def samplics_weights(profiles, margins):
    n = len(profiles)
    arrays = {m.key: np.array([p[m.key] for p in profiles]) for m in margins}
    control = {m.key: {v: s * n for v, s in m.shares.items()} for m in margins}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        weights = SampleWeight().rake(
            samp_weight=np.ones(n),
            margins=arrays,
            control=control,
            tol=1e-14,
            ctrl_tol=1e-14,
            max_iter=5000,
        )
    return np.asarray(weights, dtype=float)


@pytest.mark.parametrize(("n", "seed"), [(60, 1), (400, 2), (1500, 3)])
def test_raked_weights_match_samplics(n, seed):
    people = skewed_sample(n, seed)
    profiles = [p for p, _ in people]
    margins = [AGE, SEX, TENURE]
    ours = rake(profiles, margins, cap=1000)
    reference = samplics_weights(profiles, margins)
    assert ours.converged
    assert np.max(np.abs(np.array(ours.weights) - reference)) < 1e-6
    reference_ess = reference.sum() ** 2 / (reference**2).sum()
    assert abs(ours.effective_sample_size - reference_ess) < 1e-6
    assert abs(ours.design_effect - n / reference_ess) < 1e-6
    # The design effect is 1 + the squared coefficient of variation of the weights.
    assert abs(ours.design_effect - (1 + np.var(reference) / np.mean(reference) ** 2)) < 1e-6


@pytest.mark.parametrize(("n", "seed"), [(80, 4), (700, 5)])
def test_weighted_share_matches_samplics(n, seed):
    people = skewed_sample(n, seed)
    profiles = [p for p, _ in people]
    safe = [s for _, s in people]
    ours = rake(profiles, [AGE, SEX, TENURE], cap=1000)
    share = weighted_share(ours.weights, safe)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        estimator = TaylorEstimator(PopParam.prop)
        estimator.estimate(
            y=np.array(safe, dtype=int),
            samp_weight=samplics_weights(profiles, [AGE, SEX, TENURE]),
            remove_nan=True,
        )
    assert abs(share.share - float(estimator.point_est[1])) < 1e-6
    assert abs(share.effective_sample_size - effective_sample_size(ours.weights)) < 1e-12


def test_weighted_margins_match_the_population():
    profiles = [p for p, _ in skewed_sample(500, 6)]
    result = rake(profiles, [AGE, SEX, TENURE])
    for margin in (AGE, SEX, TENURE):
        for value, share in margin.shares.items():
            got = sum(
                w for p, w in zip(profiles, result.weights, strict=True) if p[margin.key] == value
            ) / sum(result.weights)
            assert abs(got - share) < 1e-8
    assert abs(sum(result.weights) - 500) < 1e-8


def test_the_cap_holds_and_the_trimmed_weights_are_raked_again():
    # Five young respondents in 200 stand for a third of the area: uncapped, they would
    # weigh about 13 each.
    profiles = [{"profile_age": "16_34"}] * 5 + [{"profile_age": "35_64"}] * 195
    margin = Margin("profile_age", {"16_34": 0.34, "35_64": 0.66})
    uncapped = rake(profiles, [margin], cap=1000)
    assert uncapped.largest_weight > 13
    capped = rake(profiles, [margin], cap=5, max_rounds=200)
    assert capped.largest_weight <= 5 + 1e-9
    assert capped.capped == 5
    assert not capped.converged
    assert capped.largest_gap > 0.2
    assert "could not all be met" in capped.notes[-1]
    # With a second question the trimming leaves room: young men are rare, so capped,
    # and raking again gives the weight to young women and older men instead.
    rng = random.Random(7)
    profiles = []
    for _ in range(600):
        age = rng.choices(["16_34", "35_64", "65_plus"], weights=[25, 45, 30])[0]
        sex = rng.choices(["female", "male"], weights=[95, 5] if age == "16_34" else [35, 65])[0]
        profiles.append({"profile_age": age, "profile_sex": sex})
    free = rake(profiles, [AGE, SEX], cap=1000)
    assert free.largest_weight > 1.7
    assert free.capped == 0
    trimmed = rake(profiles, [AGE, SEX], cap=1.6)
    assert trimmed.converged
    assert trimmed.largest_gap < 1e-10
    assert trimmed.largest_weight <= 1.6 + 1e-12
    young_men = [
        w
        for p, w in zip(profiles, trimmed.weights, strict=True)
        if p == {"profile_age": "16_34", "profile_sex": "male"}
    ]
    assert trimmed.capped == len(young_men) > 0
    assert all(abs(w - 1.6) < 1e-12 for w in young_men)


def test_skipped_profile_questions_keep_the_weight_the_others_give():
    profiles = [p for p, _ in skewed_sample(300, 8)]
    for p in profiles[:40]:
        p["profile_tenure"] = "prefer_not_to_say"
    for p in profiles[40:60]:
        del p["profile_sex"]
    result = rake(profiles, [AGE, SEX, TENURE])
    assert result.skipped == {"profile_age": 0, "profile_sex": 20, "profile_tenure": 40}
    # Among those who answered tenure, the weighted shares match its margin.
    answered = [
        (p, w)
        for p, w in zip(profiles, result.weights, strict=True)
        if p["profile_tenure"] != "prefer_not_to_say"
    ]
    total = sum(w for _, w in answered)
    for value, share in TENURE.shares.items():
        got = sum(w for p, w in answered if p["profile_tenure"] == value) / total
        assert abs(got - share) < 1e-8
    # Age, answered by all, matches over everyone, skippers included.
    for value, share in AGE.shares.items():
        got = sum(
            w for p, w in zip(profiles, result.weights, strict=True) if p["profile_age"] == value
        ) / sum(result.weights)
        assert abs(got - share) < 1e-8


def test_a_category_nobody_gave_is_dropped_and_said():
    profiles = [{"profile_age": "35_64"}] * 30 + [{"profile_age": "65_plus"}] * 70
    result = rake(profiles, [AGE])
    assert result.converged
    assert "'16_34'" in result.notes[0]
    # The rest of the margin is scaled up: 46 : 20.
    young_share = sum(result.weights[:30]) / 100
    assert abs(young_share - 46 / 66) < 1e-9


def test_equal_weights_have_no_design_effect():
    assert effective_sample_size([1.0] * 50) == pytest.approx(50)
    assert design_effect([1.0] * 50) == pytest.approx(1)
    assert design_effect([1, 3]) == pytest.approx(2 * 10 / 16)
