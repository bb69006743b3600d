"""The Celery app. Workers and beat run with ``celery -A signpost``; with no broker
configured, tasks run in-process (eagerly) so the embedded default needs no Redis."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signpost.settings.dev")

app = Celery("signpost")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
