"""The Celery app. Workers and beat run with ``celery -A signpost``. Production points
them at Redis; development (`make run`) runs a worker and beat on kombu's filesystem
transport (signpost.settings.dev), so it needs no server; tests run tasks in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signpost.settings.dev")

app = Celery("signpost")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
