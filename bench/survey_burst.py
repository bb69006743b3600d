"""50 residents submitting the survey at once for a minute, against gunicorn and
PostgreSQL on 127.0.0.1, beside a plain Wagtail form page measured the same way.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signpost \\
        .venv/bin/python bench/survey_burst.py [--clients 50] [--seconds 60] [--port 8061]

Each client loops: GET the form (CSRF cookie and token), POST a full set of 12 answers.
Reported per target: POSTs per second, p50/p95 POST latency, errors, and rows stored
against submissions acknowledged. Rate limits are switched off for the run
(SIGNPOST_RATE_LIMITS_ENABLED=0): every client shares one address.
"""

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.burst_settings"
os.environ["SIGNPOST_RATE_LIMITS_ENABLED"] = "0"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.contrib.forms.models import FormSubmission  # noqa: E402
from wagtail.models import Site  # noqa: E402

from bench.plainform.models import PlainFormField, PlainFormPage  # noqa: E402
from engagement.models import Area  # noqa: E402
from surveys.models import PendingResponse, Response, SurveyPage, SurveyWave  # noqa: E402
from surveys.question_bank import BANK, SCALES  # noqa: E402

CUSTOM = [f"custom_{i}" for i in range(1, 7)]
KEYS = list(BANK) + CUSTOM
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def options(key):
    return [v for v, _ in (SCALES[BANK[key].scale] if key in BANK else SCALES["agree"]).options]


def prepare():
    call_command("migrate", verbosity=0)
    root = Site.objects.get(is_default_site=True).root_page
    survey = SurveyPage.objects.filter(slug="burst-survey").first()
    if survey is None:
        questions = [{"type": "standard", "value": {"item": k, "required": True}} for k in BANK]
        questions += [
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
        survey = SurveyPage(title="Burst survey", slug="burst-survey", questions=questions)
        root.add_child(instance=survey)
        survey.save_revision().publish()
    area, _ = Area.objects.get_or_create(
        slug="benchmark-area", defaults={"name": "Benchmark area", "household_count": 200_000}
    )
    today = timezone.localdate()
    wave, _ = SurveyWave.objects.update_or_create(
        slug="bench-burst",
        defaults={
            "survey": survey,
            "area": area,
            "opens_on": today,
            "closes_on": today,
            "kind": SurveyWave.BASELINE,
        },
    )
    plain = PlainFormPage.objects.filter(slug="plain-form").first()
    if plain is None:
        plain = PlainFormPage(title="Plain form", slug="plain-form")
        for i, key in enumerate(KEYS):
            plain.form_fields.add(
                PlainFormField(
                    sort_order=i,
                    label=key,
                    field_type="radio",
                    required=True,
                    choices="\n".join(options(key)),
                )
            )
        root.add_child(instance=plain)
        plain.save_revision().publish()
    return wave, plain


def survey_payload():
    return {f"q_{k}": random.choice(options(k)) for k in KEYS}


def plain_payload():
    return {k: random.choice(options(k)) for k in KEYS}


class Target:
    def __init__(self, name, path, payload, ok_status):
        self.name, self.path, self.payload, self.ok_status = name, path, payload, ok_status
        self.latencies, self.errors, self.acknowledged = [], 0, 0
        self.lock = threading.Lock()


def client_loop(port, target, deadline):
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", target.path)
            page = conn.getresponse()
            html = page.read().decode()
            cookie = page.getheader("Set-Cookie", "").split(";")[0]
            conn.close()
            token = TOKEN_RE.search(html).group(1)
            body = urlencode({"csrfmiddlewaretoken": token, **target.payload()}, doseq=True)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            start = time.perf_counter()
            conn.request(
                "POST",
                target.path,
                body=body,
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
            )
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            conn.close()
            with target.lock:
                if response.status == target.ok_status:
                    target.latencies.append(elapsed)
                    target.acknowledged += 1
                else:
                    target.errors += 1
        except Exception:  # noqa: BLE001 (every failure counts as an error)
            with target.lock:
                target.errors += 1


def run(port, target, clients, seconds):
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client_loop, args=(port, target, deadline)) for _ in range(clients)
    ]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.monotonic() - started


def percentile(values, p):
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100)[p - 1] if len(values) > 1 else values[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--port", type=int, default=8061)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    wave, plain = prepare()
    env = dict(os.environ, DATABASE_CONN_MAX_AGE="60")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "signpost.wsgi:application",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--chdir",
            str(ROOT),
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                c = http.client.HTTPConnection("127.0.0.1", args.port, timeout=2)
                c.request("GET", wave.public_path)
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        targets = [
            Target("survey form (Signpost)", wave.public_path, survey_payload, 302),
            Target("plain Wagtail form page", plain.get_url(), plain_payload, 200),
        ]

        def received():
            # Answers wait as pending rows until the flush stores them in a batch.
            return (
                Response.objects.filter(wave=wave).count()
                + PendingResponse.objects.filter(wave=wave).count()
            )

        before = {
            targets[0].name: received(),
            targets[1].name: FormSubmission.objects.filter(page=plain).count(),
        }
        results = []
        for target in targets:
            elapsed = run(args.port, target, args.clients, args.seconds)
            results.append((target, elapsed))
        stored = {
            targets[0].name: received() - before[targets[0].name],
            targets[1].name: FormSubmission.objects.filter(page=plain).count()
            - before[targets[1].name],
        }
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(
        f"{args.clients} clients × {args.seconds} s each, gunicorn {args.workers} sync workers, PostgreSQL"
    )
    print(
        f"{'target':<26} {'POST/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6} {'acknowledged':>12} {'rows stored':>11}"
    )
    rates = {}
    for target, elapsed in results:
        rate = target.acknowledged / elapsed
        rates[target.name] = rate
        print(
            f"{target.name:<26} {rate:7.1f} {1000 * percentile(target.latencies, 50):7.0f} "
            f"{1000 * percentile(target.latencies, 95):7.0f} {target.errors:6d} "
            f"{target.acknowledged:12d} {stored[target.name]:11d}"
        )
    survey_rate, plain_rate = rates[targets[0].name], rates[targets[1].name]
    print(
        f"ratio: the survey form handles {survey_rate / plain_rate:.2f}× the plain form page's submissions per second"
    )


if __name__ == "__main__":
    main()
