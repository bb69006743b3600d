"""The Celery app. Workers and beat run with ``celery -A signpost``. Production points
them at Redis; development (`make run`) runs a worker and beat on kombu's filesystem
transport (signpost.settings.dev), so it needs no server; tests run tasks in-process."""

import functools
import os

from celery import Celery, current_task, shared_task

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signpost.settings.dev")

app = Celery("signpost")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each task's name before it was renamed, by the name it has now.
FORMER_TASK_NAMES: dict[str, tuple[str, ...]] = {}


def task(name: str, *, formerly: tuple[str, ...] = (), ledger: bool = True, **options):
    """Register a Celery task under ``name``, ``<app label>.<the service it runs>``, so a
    module move never renames it; ``formerly`` lists names it had before a rename, each
    registered too with the same options, so messages queued under them (and beat
    schedules not yet restarted) still run.

    Every run goes through the job ledger (``signpost.jobs``): a message without a job is
    written into it as it starts, so a worker dying mid-task leaves it for beat to send
    again. ``ledger=False`` is for tasks that keep their own (campaign sending) or that
    beat runs again within minutes anyway."""

    def register(function):
        @functools.wraps(function)
        def run(*args, **kwargs):
            # The job ledger (signpost.jobs) uses the models: not loaded with this module.
            from . import jobs

            request = current_task.request if current_task else None
            job_id = jobs.request_job_id(request) if request is not None else None
            eager = request is None or getattr(request, "is_eager", False)
            adopt = name if ledger and not eager else ""
            return jobs.run_as_job(job_id, function, *args, adopt=adopt, **kwargs)

        for former in formerly:
            shared_task(name=former, **options)(run)
        FORMER_TASK_NAMES[name] = formerly
        return shared_task(name=name, **options)(run)

    return register
