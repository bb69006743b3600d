"""Settings for bench/recovery.py: the development settings on Redis, campaign email to
the local Mailgun mock, and beat running only the two resend tasks, every
``SIGNPOST_BENCH_BEAT_SECONDS`` (production: every minute)."""

import os

from signpost.settings.dev import *  # noqa: F403
from signpost.settings.dev import ANYMAIL, CELERY_BEAT_SCHEDULE

DEBUG = False  # no query log growing in long runs
SIGNPOST_ALLOW_DEMO_DATA = True  # the bench database's fixtures are the demo initiative
EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
ANYMAIL = {
    **ANYMAIL,
    "MAILGUN_API_KEY": "key-bench",
    "MAILGUN_SENDER_DOMAIN": "mg.bench.example.org",
    "MAILGUN_API_URL": os.environ["MAILGUN_API_URL"],
}
BEAT_SECONDS = float(os.environ.get("SIGNPOST_BENCH_BEAT_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    name: {**entry, "schedule": BEAT_SECONDS}
    for name, entry in CELERY_BEAT_SCHEDULE.items()
    if name in ("signpost-jobs-resume-stalled", "newsletters-resume-stalled-sends")
}
SIGNPOST_JOB_STALL_SECONDS = int(os.environ.get("SIGNPOST_JOB_STALL_SECONDS", "180"))
SIGNPOST_SEND_LEASE_SECONDS = int(os.environ.get("SIGNPOST_SEND_LEASE_SECONDS", "300"))
SIGNPOST_ESP_RATE_PER_SECOND = 0
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
