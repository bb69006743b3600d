"""Settings for bench/email_send.py: the development settings, with django-anymail's
Mailgun backend pointed at the local mock (MAILGUN_API_URL) and a short send lease.
With SIGNPOST_BENCH_PHASES=1 the workers time each phase of a send (bench/phases.py)."""

import os

from signpost.settings.dev import *  # noqa: F403
from signpost.settings.dev import ANYMAIL

DEBUG = False  # no query log growing in long runs
EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
ANYMAIL = {
    **ANYMAIL,
    "MAILGUN_API_KEY": "key-bench",
    "MAILGUN_SENDER_DOMAIN": "mg.bench.example.org",
    "MAILGUN_API_URL": os.environ["MAILGUN_API_URL"],
}
SIGNPOST_SEND_LEASE_SECONDS = int(os.environ.get("SIGNPOST_SEND_LEASE_SECONDS", "20"))
SIGNPOST_ESP_RATE_PER_SECOND = int(os.environ.get("SIGNPOST_ESP_RATE_PER_SECOND", "0"))
CELERY_BEAT_SCHEDULE = {}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

if os.environ.get("SIGNPOST_BENCH_PHASES"):
    from bench import phases

    phases.connect()
