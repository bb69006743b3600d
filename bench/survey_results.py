"""Comparison of two survey waves computed in the database, beside a Python loop over the
same answers stored as Wagtail's default FormSubmission JSON, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signpost \\
        .venv/bin/python bench/survey_results.py [--responses 50000] [--clean]

Builds (once; kept for later runs unless --clean) a 12-question survey with a baseline and
a follow-up wave of N responses each, loaded with PostgreSQL COPY, and the same answers as
one FormSubmission per response. Then times ``surveys.selectors.comparison_build`` (the
whole comparison: counts, suppression, intervals, tests) against reading every
FormSubmission, parsing its JSON and counting in Python, followed by the same statistics.
"""

import argparse
import io
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signpost.settings.dev")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from signpost.models import HomePage  # noqa: E402
from wagtail.contrib.forms.models import FormSubmission  # noqa: E402

from engagement.models import Area  # noqa: E402
from surveys.models import Answer, Response, SurveyPage, SurveyWave  # noqa: E402
from surveys.question_bank import BANK, SCALES  # noqa: E402
from surveys.selectors import comparison_build  # noqa: E402
from surveys.statistics import change_between  # noqa: E402

SLUG = "benchmark-survey"
CUSTOM = [f"custom_{i}" for i in range(1, 7)]
QUESTIONS = [{"type": "standard", "value": {"item": k, "required": True}} for k in BANK] + [
    {
        "type": "likert",
        "value": {
            "key": k,
            "text": f"Statement {k}",
            "help_text": "",
            "required": True,
            "scale": "agree",
        },
    }
    for k in CUSTOM
]


def scale_for(key):
    return SCALES[BANK[key].scale] if key in BANK else SCALES["agree"]


def build(n: int) -> tuple[SurveyWave, SurveyWave]:
    survey = SurveyPage.objects.filter(slug=SLUG).first()
    if survey is None:
        survey = SurveyPage(title="Benchmark survey", slug=SLUG, questions=QUESTIONS, live=False)
        HomePage.objects.first().add_child(instance=survey)
    area, _ = Area.objects.get_or_create(
        slug="benchmark-area", defaults={"name": "Benchmark area", "household_count": 200_000}
    )
    waves = []
    for kind, slug in (
        (SurveyWave.BASELINE, "bench-before"),
        (SurveyWave.FOLLOW_UP, "bench-after"),
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
    if all(w.responses.count() == n for w in waves):
        return waves
    print(f"Loading {2 * n:,} responses × {len(BANK) + len(CUSTOM)} questions …", flush=True)
    rng = random.Random(7)
    keys = list(BANK) + CUSTOM
    with transaction.atomic():
        FormSubmission.objects.filter(page=survey).delete()
        for wave in waves:
            Answer.objects.filter(wave=wave).delete()
            Response.objects.filter(wave=wave).delete()
        for phase, wave in enumerate(waves):
            Response.objects.bulk_create([Response(wave=wave) for _ in range(n)], batch_size=5000)
            ids = list(wave.responses.order_by("pk").values_list("pk", flat=True))
            answers, submissions = io.StringIO(), io.StringIO()
            for response_id in ids:
                form_data = {}
                for key in keys:
                    values = [v for v, _ in scale_for(key).options]
                    # One real change (safe after dark); the rest stay put.
                    boost = 0.3 * phase if key == "safe_after_dark" else 0
                    weights = [1 + boost if v in scale_for(key).positive else 1 for v in values]
                    choice = rng.choices(values, weights=weights)[0]
                    form_data[key] = choice
                    answers.write(f"{response_id}\t{wave.pk}\t{key}\t{choice}\t\n")
                form_data["wave"] = wave.pk
                submissions.write(
                    json.dumps(form_data).replace("\\", "\\\\")
                    + f"\t{survey.pk}\t2026-01-15 12:00:00+00\n"
                )
            with connection.cursor() as cursor:
                with cursor.cursor.copy(
                    "COPY surveys_answer (response_id, wave_id, question_key, choice, text) FROM STDIN"
                ) as copy:
                    copy.write(answers.getvalue())
                with cursor.cursor.copy(
                    "COPY wagtailforms_formsubmission (form_data, page_id, submit_time) FROM STDIN"
                ) as copy:
                    copy.write(submissions.getvalue())
    with connection.cursor() as cursor:
        # What autovacuum does soon after a load: statistics and the visibility map.
        cursor.execute("VACUUM ANALYZE surveys_answer")
        cursor.execute("VACUUM ANALYZE wagtailforms_formsubmission")
    return waves


def python_loop(survey, waves):
    """What a FormSubmission-based survey has to do: read every submission's JSON and count."""
    counts = {w.pk: {} for w in waves}
    totals = {w.pk: 0 for w in waves}
    for form_data in (
        FormSubmission.objects.filter(page=survey)
        .values_list("form_data", flat=True)
        .iterator(chunk_size=5000)
    ):
        data = form_data if isinstance(form_data, dict) else json.loads(form_data)
        wave_id = data.pop("wave")
        totals[wave_id] += 1
        per_wave = counts[wave_id]
        for key, choice in data.items():
            per_key = per_wave.setdefault(key, {})
            per_key[choice] = per_key.get(choice, 0) + 1
    results = {}
    for key in counts[waves[0].pk]:
        positive = scale_for(key).positive
        x = [sum(n for c, n in counts[w.pk].get(key, {}).items() if c in positive) for w in waves]
        n = [sum(counts[w.pk].get(key, {}).values()) for w in waves]
        results[key] = change_between(x[0], n[0], x[1], n[1])
    return results


def timed(fn, repeat):
    times = []
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--clean", action="store_true", help="Delete the benchmark data afterwards."
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    baseline, follow_up = build(args.responses)
    survey = baseline.survey
    rows = Answer.objects.filter(wave__in=[baseline, follow_up]).count()
    print(
        f"{2 * args.responses:,} responses, {rows:,} answer rows, {FormSubmission.objects.filter(page=survey).count():,} FormSubmissions"
    )

    db_time, comparison = timed(
        lambda: comparison_build(baseline=baseline, follow_up=follow_up, live=True), args.repeat
    )
    loop_time, loop_results = timed(lambda: python_loop(survey, [baseline, follow_up]), args.repeat)

    for row in comparison.questions:
        mine, theirs = row.change, loop_results[row.question.key]
        assert abs(mine.difference - theirs.difference) < 1e-12, row.question.key
    print(
        f"database aggregation (comparison_build): {db_time * 1000:8.1f} ms (median of {args.repeat})"
    )
    print(
        f"Python loop over FormSubmission JSON:    {loop_time * 1000:8.1f} ms (median of {args.repeat})"
    )
    print(
        f"ratio: the database comparison is {loop_time / db_time:.1f}× faster; both agree on every change"
    )
    if args.clean:
        with transaction.atomic():
            FormSubmission.objects.filter(page=survey).delete()
            for wave in (baseline, follow_up):
                Answer.objects.filter(wave=wave).delete()
                Response.objects.filter(wave=wave).delete()
                wave.delete()
            survey.delete()


if __name__ == "__main__":
    main()
