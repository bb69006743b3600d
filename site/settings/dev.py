"""Development: the embedded default that `make run` uses.

`make run` starts the web server, a Celery worker and Celery beat together
(``manage.py rundev``), so embargoes, schedules, reminders and purges happen on time and
progress bars move, as in production, with nothing to install but Python.
"""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATABASES, VAR_DIR

DEBUG = True
ALLOWED_HOSTS = ["*"]
INTERNAL_IPS = ["127.0.0.1"]

# Celery on an embedded broker: kombu's filesystem transport keeps each queued task as a
# JSON file under var/broker/ and needs no server and no extra package. (The SQLAlchemy
# transport needs SQLAlchemy and puts a fourth writer on SQLite's one write lock; see
# BENCHMARKS.md, "Embedded task broker".) Set CELERY_BROKER_URL to use Redis instead.
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL is None:
    for folder in ("queue", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
        "polling_interval": 0.5,
    }
    # Nothing reads task results: progress lives in the database.
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_ALWAYS_EAGER = False
    CELERY_WORKER_CONCURRENCY = 2
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# SQLite with three processes writing (web, worker, beat): write-ahead logging lets readers
# carry on during a write, IMMEDIATE transactions take the write lock up front (so two
# writers queue instead of failing to upgrade), and a writer waits up to 30 s for it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
    )

# Every email is written to var/mail/ as the ESP would deliver it: one file per recipient,
# merge data applied, headers included (signpost.dev_mail).
EMAIL_BACKEND = "signpost.dev_mail.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
