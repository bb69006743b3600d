"""What weighting to the area's population costs, beside baselines measured in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signpost \\
        .venv/bin/python bench/survey_weighting.py [--responses 10000] [--clean]

Builds (once; kept for later runs unless --clean) a survey with six standard questions and
the four profile questions, a baseline and a follow-up of N responses each in an area with
census margins, respondents skewed towards older owner-occupiers. Then times, median of 3:

1. ``surveys.weighting.rake`` (pure Python, over cells of identical profile answers)
   against samplics' ``SampleWeight.rake`` (numpy, over respondents), the reference the
   tests compare it with, on the same profiles; the script checks both give the same
   weights.
2. ``weighted_comparison_build`` against the unweighted ``comparison_build`` it sits
   beside on the analyst's page: live (reading every response's profile and share
   answers, raking both waves, the weighted shares, intervals, changes and warnings) and
   published (the weighting kept with each wave's published results).
3. Taking a wave's published results: weighting it (``wave_figures_live``) against
   counting it (``wave_counts_live``).
"""

import argparse
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signpost.settings.dev")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from signpost.models import HomePage  # noqa: E402

from engagement.models import Area  # noqa: E402
from surveys.models import (  # noqa: E402
    Answer,
    PopulationCount,
    PopulationMargins,
    Response,
    SurveyPage,
    SurveyWave,
    WaveResults,
)
from surveys.profile import PROFILE  # noqa: E402
from surveys.question_bank import BANK, SCALES  # noqa: E402
from surveys.selectors import comparison_build, wave_counts_live  # noqa: E402
from surveys.services import wave_results_publish  # noqa: E402
from surveys.weighted.selectors import (  # noqa: E402
    wave_figures_live,
    weighted_comparison_build,
)
from surveys.weighting import Margin, rake  # noqa: E402

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from samplics.weighting import SampleWeight  # noqa: E402

SLUG = "weighting-benchmark-survey"
QUESTIONS = [{"type": "standard", "value": {"item": k, "required": True}} for k in BANK] + [
    {"type": "profile", "value": {"item": k}} for k in PROFILE
]
POPULATION = {
    "profile_age": {"16_24": 610, "25_34": 720, "35_49": 880, "50_64": 860, "65_plus": 730},
    "profile_sex": {"female": 2430, "male": 2330},
    "profile_tenure": {"owned": 820, "social_rented": 880, "private_rented": 440},
    "profile_ethnic_group": {"asian": 520, "black": 260, "mixed": 190, "white": 3690, "other": 100},
}
PROPENSITY = {
    "profile_age": (0.45, 0.65, 0.95, 1.3, 1.8),
    "profile_sex": (1.2, 0.8),
    "profile_tenure": (1.6, 0.7, 0.6),
    "profile_ethnic_group": (0.7, 0.6, 0.8, 1.05, 0.8),
}


def profile_draw(rng):
    profile = {}
    for key, item in PROFILE.items():
        if rng.random() < 0.05:
            continue
        weights = [
            POPULATION[key][v] * p for v, p in zip(item.categories, PROPENSITY[key], strict=True)
        ]
        profile[key] = rng.choices(item.categories, weights=weights)[0]
    return profile


def build(n: int) -> tuple[SurveyWave, SurveyWave]:
    survey = SurveyPage.objects.filter(slug=SLUG).first()
    if survey is None:
        survey = SurveyPage(title="Weighting benchmark", slug=SLUG, questions=QUESTIONS, live=False)
        HomePage.objects.first().add_child(instance=survey)
    area, _ = Area.objects.get_or_create(
        slug="weighting-benchmark-area",
        defaults={"name": "Weighting benchmark area", "household_count": 2140},
    )
    margins, created = PopulationMargins.objects.get_or_create(area=area)
    if created:
        PopulationCount.objects.bulk_create(
            PopulationCount(margins=margins, profile_key=k, category=c, count=v)
            for k, counts in POPULATION.items()
            for c, v in counts.items()
        )
    rng = random.Random(32)
    waves = []
    for kind, slug in (
        (SurveyWave.BASELINE, "wbench-before"),
        (SurveyWave.FOLLOW_UP, "wbench-after"),
    ):
        wave, _ = SurveyWave.objects.get_or_create(
            slug=slug,
            defaults={
                "survey": survey,
                "kind": kind,
                "area": area,
                "opens_on": "2026-01-01",
                "closes_on": "2026-02-01",
            },
        )
        waves.append(wave)
        if wave.responses.count() == n:
            continue
        with transaction.atomic():
            Answer.objects.filter(wave=wave).delete()
            wave.responses.all().delete()
            WaveResults.objects.filter(wave=wave).delete()
            responses = Response.objects.bulk_create(
                [Response(wave=wave) for _ in range(n)], batch_size=5000
            )
            rows = []
            for response in responses:
                profile = profile_draw(rng)
                for key, value in profile.items():
                    rows.append(
                        Answer(response=response, wave=wave, question_key=key, choice=value)
                    )
                older = profile.get("profile_age") in ("50_64", "65_plus")
                for key in BANK:
                    scale = SCALES[BANK[key].scale]
                    values = [v for v, _ in scale.options]
                    positive = [v for v in values if v in scale.positive]
                    others = [v for v in values if v not in scale.positive]
                    chance = 0.35 + (0.1 if older else -0.05)
                    choice = rng.choice(positive if rng.random() < chance else others)
                    rows.append(
                        Answer(response=response, wave=wave, question_key=key, choice=choice)
                    )
            Answer.objects.bulk_create(rows, batch_size=10000)
            # Published as a flush publishes them: the counts and the weighting together.
            wave_results_publish(wave=wave)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE surveys_answer")
            cursor.execute("ANALYZE surveys_response")
    return waves[0], waves[1]


def median_time(function, repeat=3):
    times = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=10_000)
    parser.add_argument("--clean", action="store_true")
    args = parser.parse_args()
    if args.clean:
        SurveyWave.objects.filter(slug__startswith="wbench-").delete()
    baseline, follow_up = build(args.responses)

    # 1. Raking alone, on the same profiles.
    rng = random.Random(1)
    profiles = [profile_draw(rng) for _ in range(args.responses)]
    complete = [p for p in profiles if len(p) == len(PROFILE)]
    margins = [Margin.from_counts(k, POPULATION[k]) for k in PROFILE]
    ours_time, ours = median_time(lambda: rake(complete, margins, cap=1000))

    def reference():
        n = len(complete)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return SampleWeight().rake(
                samp_weight=np.ones(n),
                margins={m.key: np.array([p[m.key] for p in complete]) for m in margins},
                control={m.key: {v: s * n for v, s in m.shares.items()} for m in margins},
                tol=1e-12,
                ctrl_tol=1e-12,
                max_iter=5000,
            )

    reference_time, reference_weights = median_time(reference)
    gap = float(np.max(np.abs(np.array(ours.weights) - np.asarray(reference_weights))))
    assert gap < 1e-6, gap
    print(f"Raking {len(complete):,} respondents on 4 margins ({ours.rounds} rounds):")
    print(f"  surveys.weighting.rake (cells)  {1000 * ours_time:8.1f} ms")
    print(f"  samplics SampleWeight.rake      {1000 * reference_time:8.1f} ms")
    print(f"  ratio                           {reference_time / ours_time:8.1f}× faster")
    print(f"  largest difference in weights   {gap:.1e}")

    # 2. The weighted comparison beside the unweighted one: the analysts' live view
    # (reading and raking every response), and the published one (what everyone else
    # sees, read from the waves' published results).
    print(f"Comparison of 2 waves × {args.responses:,} responses ({connection.vendor}):")
    for label, live in (("live", True), ("published", False)):
        unweighted_time, comparison = median_time(
            lambda live=live: comparison_build(baseline=baseline, follow_up=follow_up, live=live)
        )
        weighted_time, weighted = median_time(
            lambda comparison=comparison: weighted_comparison_build(comparison)
        )
        print(f"  {label}: comparison_build (unweighted)   {1000 * unweighted_time:8.1f} ms")
        print(f"  {label}: weighted_comparison_build       {1000 * weighted_time:8.1f} ms")
        print(
            f"  {label}: ratio                           "
            f"{weighted_time / unweighted_time:8.2f}× the unweighted"
        )
        print(
            f"  {label}: effective sample sizes          "
            + ", ".join(
                f"{w.effective_sample_size:,.0f} (deff {w.design_effect:.2f})"
                if w.weighted
                else f"not weighted ({w.problem})"
                for w in weighted.waves
            )
        )

    # 3. What weighting adds to taking a wave's published results: the counts alone
    # (three aggregate queries) against the counts and the wave's weighting.
    counts_time, _ = median_time(lambda: wave_counts_live(baseline))
    weighting_time, _ = median_time(lambda: wave_figures_live(baseline))
    print(f"Publishing one wave's results ({args.responses:,} responses):")
    print(f"  counts (wave_counts_live)       {1000 * counts_time:8.1f} ms")
    print(f"  weighting (wave_figures_live)   {1000 * weighting_time:8.1f} ms")
    print(f"  ratio                           {weighting_time / counts_time:8.2f}× the counts")


if __name__ == "__main__":
    main()
