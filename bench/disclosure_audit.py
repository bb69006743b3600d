"""What the exact disclosure auditor costs, and what it finds in the demo's comparisons.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signpost \\
        .venv/bin/python bench/disclosure_audit.py [--tables 20000]

1. Cost: the same generated breakdowns (the property test's shapes: hidden cells adding up
   to the threshold, zeros beside one big answer, shares on the threshold's edge, multiple
   choice) published by ``wave_answers_publish`` with the auditor deciding, beside the
   baseline run in the same process: the rules alone (small counts, the share rule, one
   partner per total), with the auditor switched off. Then the demo's comparison page
   (``comparison_build``) both ways.
2. The demo: every comparison the admin can render from the demo's waves (every ordered
   pair of waves, published and live figures, thresholds 5 to 20), each breakdown read as
   a reader sees it and audited; the same under the rules alone, to show what the auditor
   adds. Loads the demo data first if the database has none.
"""

import argparse
import os
import random
import statistics
import sys
import time
from itertools import permutations
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signpost.settings.dev")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from surveys import suppression  # noqa: E402
from surveys.blocks import Question, QuestionKind  # noqa: E402
from surveys.disclosure import RowAudit, audit_row  # noqa: E402
from surveys.models import SurveyWave  # noqa: E402
from surveys.selectors import (  # noqa: E402
    comparison_audit,
    comparison_build,
    wave_answers_as_read,
    wave_answers_publish,
)

T = 10


def rules_alone():
    """The publication without the auditor's loop: every candidate passes."""
    return mock.patch.object(suppression, "audit_row", lambda row, **_: RowAudit({}, 3))


def generated_tables(count: int, seed: int = 25):
    rng = random.Random(seed)
    tables = []
    for _ in range(count):
        kind = rng.choice(["share", "share", "plain", "multiple"])
        n = rng.randint(2, 6)
        options = tuple((f"a{i}", f"A{i}") for i in range(n))
        if kind == "multiple":
            question = Question("q", QuestionKind.MULTIPLE, "Q", "", False, options)
        else:
            positive = frozenset(v for v, _ in options[: rng.randint(1, n - 1)])
            question = Question(
                "q",
                QuestionKind.SINGLE,
                "Q",
                "",
                True,
                options,
                positive if kind == "share" else frozenset(),
            )
        shape = rng.choice(["threshold", "zeros", "edge", "any"])
        if shape == "threshold":
            counts = [rng.randint(0, T - 1) for _ in range(n)]
            counts[rng.randrange(n)] = max(T, T - sum(counts) + rng.randint(0, 2))
        elif shape == "zeros":
            counts = [rng.choice([0, 0, 0, 1, 2]) for _ in range(n)]
            counts[rng.randrange(n)] = rng.randint(T, 12 * T)
        elif shape == "edge":
            counts = [rng.randint(0, 2 * T + 2) for _ in range(n)]
        else:
            counts = [rng.randint(0, 8 * T) for _ in range(n)]
        if kind == "multiple":
            answered = rng.randint(max(counts), sum(counts)) if sum(counts) else 0
        else:
            answered = sum(counts)
        values = [v for v, _ in options]
        tables.append((question, values, dict(zip(values, counts, strict=True)), answered))
    return tables


def exposures(tables) -> tuple[int, int]:
    """Breakdowns, and hidden cells, that a reader could narrow to fewer than 3 values."""
    tables_found = cells = 0
    for question, values, counts, answered in tables:
        published = wave_answers_publish(question, values, counts, answered, T)
        row = wave_answers_as_read(question, published, T)
        exposed = audit_row(row).exposed if row else {}
        tables_found += bool(exposed)
        cells += len(exposed)
    return tables_found, cells


def timed(fn, repeat=5):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def publish_all(tables):
    for question, values, counts, answered in tables:
        wave_answers_publish(question, values, counts, answered, T)


def demo_comparisons():
    waves = list(SurveyWave.objects.select_related("survey", "area").order_by("pk"))
    for baseline, follow_up in permutations(waves, 2):
        if baseline.survey_id != follow_up.survey_id:
            continue
        for live in (False, True):
            for threshold in range(5, 21):
                yield lambda b=baseline, f=follow_up, li=live, t=threshold: comparison_build(
                    baseline=b, follow_up=f, live=li, threshold=t
                )


def audit_demo():
    totals = {"comparisons": 0, "breakdowns": 0, "hidden": 0, "exposed cells": 0, "tables": 0}
    for build in demo_comparisons():
        comparison = build()
        audited, findings = comparison_audit(comparison)
        totals["comparisons"] += 1
        totals["breakdowns"] += audited
        for q in comparison.questions:
            for answers in (q.baseline, q.follow_up):
                totals["hidden"] += sum(c.count is None for c in answers.cells)
        totals["tables"] += len(findings)
        totals["exposed cells"] += sum(len(f.exposed) for f in findings)
    return totals


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=20_000)
    args = parser.parse_args()
    if not SurveyWave.objects.filter(slug="eastfield-after").exists():
        call_command("load_demo_data")

    tables = generated_tables(args.tables)
    with_auditor = timed(lambda: publish_all(tables), repeat=3)
    with rules_alone():
        alone = timed(lambda: publish_all(tables), repeat=3)
    print(f"{args.tables:,} generated breakdowns published (median of 3):")
    print(
        f"  rules alone (baseline):  {alone * 1000:8.1f} ms  ({alone / args.tables * 1e6:.1f} µs each)"
    )
    print(
        f"  with the exact auditor:  {with_auditor * 1000:8.1f} ms  "
        f"({with_auditor / args.tables * 1e6:.1f} µs each)"
    )
    print(f"  ratio: {with_auditor / alone:.2f}× the baseline")
    with rules_alone():
        leaky = exposures(tables)
    safe = exposures(tables)
    print(
        f"  a reader could narrow {leaky[1]:,} hidden cells in {leaky[0]:,} of them under the "
        f"rules alone, {safe[1]} cells in {safe[0]} with the auditor deciding"
    )

    waves = {w.slug: w for w in SurveyWave.objects.all()}
    page = lambda: comparison_build(  # noqa: E731
        baseline=waves["eastfield-before"],
        follow_up=waves["eastfield-after"],
        comparison_baseline=waves["northgate-before"],
        comparison_follow_up=waves["northgate-after"],
    )
    page()
    with_auditor = timed(page, repeat=20)
    with rules_alone():
        alone = timed(page, repeat=20)
    print("The demo's comparison with its comparison area (comparison_build, median of 20):")
    print(f"  rules alone (baseline):  {alone * 1000:8.2f} ms")
    print(f"  with the exact auditor:  {with_auditor * 1000:8.2f} ms")
    print(f"  ratio: {with_auditor / alone:.2f}× the baseline")

    found = audit_demo()
    with rules_alone():
        before = audit_demo()
    print("Every comparison of the demo's waves (ordered pairs, published and live, T = 5…20):")
    print(
        f"  {found['comparisons']} comparisons, {found['breakdowns']} breakdowns audited, "
        f"{found['hidden']} hidden cells"
    )
    print(
        f"  rules alone:        {before['exposed cells']} hidden cells in {before['tables']} "
        "breakdowns a reader could narrow to fewer than 3 values"
    )
    print(
        f"  with the auditor:   {found['exposed cells']} hidden cells in {found['tables']} breakdowns"
    )


if __name__ == "__main__":
    main()
