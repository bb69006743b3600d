"""A police.uk import through a real Redis broker and a real Celery worker, killed with
SIGKILL in the middle of a month: another worker, once the lease has lapsed, finishes the
import, and every month is there once, whole."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from evaluation.models import CrimeImport, CrimeMonth, CrimeRecord
from tests.conftest import ensure_migrated_data

from .files import month_zip, street_row

ROOT = Path(__file__).resolve().parents[2]
MONTHS = [datetime.date(2023, m, 1) for m in range(1, 13)]
ROWS_A_MONTH = 4000


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def workers(redis_url, transactional_db, django_db_serialized_rollback, tmp_path, settings):
    """Starts worker processes on the test database, consuming a queue of their own."""
    from celery import Celery
    from signpost.celery import app as signpost_app

    ensure_migrated_data()
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    queue = f"test-crime-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "signpost.settings.dev",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        # Small batches, so the import is caught in the middle of a month.
        "SIGNPOST_CRIME_IMPORT_BATCH_ROWS": "250",
        # A run silent for two seconds is taken for dead (a batch takes milliseconds).
        "SIGNPOST_CRIME_IMPORT_LEASE_SECONDS": "2",
    }
    started = []

    def start():
        log = open(tmp_path / f"worker-{len(started)}.log", "w")  # noqa: SIM115 (closed below)
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "signpost", "worker"),
                *("--pool=solo", "--concurrency=1", "-Q", queue),
                *("--without-gossip", "--without-mingle", "--loglevel=warning"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        process.log, process.log_path = log, tmp_path / f"worker-{len(started)}.log"
        started.append(process)
        return process

    broker = Celery("signpost-test", broker=redis_url, set_as_current=True)
    broker.conf.task_routes = {"evaluation.*": {"queue": queue}}
    try:
        yield start
    finally:
        signpost_app.set_current()
        broker.close()
        for process in started:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            process.log.close()


def wait_for(condition, *, seconds, worker=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if worker is not None:
            assert worker.poll() is None, worker.log_path.read_text()
        time.sleep(0.02)
    raise AssertionError("timed out")


@pytest.mark.redis
@pytest.mark.postgres
def test_a_worker_killed_mid_import_is_finished_by_another_with_no_duplicates(
    workers, settings, django_capture_on_commit_callbacks
):
    from evaluation.services import crime_imports_resume
    from evaluation.tasks import crime_import_run

    content = month_zip(
        {
            month: [street_row(month, crime_id=f"{month:%m}-{i}") for i in range(ROWS_A_MONTH)]
            for month in MONTHS
        }
    )
    crime_import = CrimeImport(file_name="harbridge-2023.zip")
    crime_import.file.save("harbridge-2023.zip", ContentFile(content), save=True)

    first = workers()
    crime_import_run.delay(crime_import.pk)

    def mid_month():
        current = CrimeImport.objects.get(pk=crime_import.pk)
        loading = CrimeMonth.objects.filter(status=CrimeMonth.LOADING).first()
        return len(current.files_done) >= 2 and loading is not None and loading.records.exists()

    wait_for(mid_month, seconds=120, worker=first)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()

    # What the dead worker left: whole months live, one month half-written and not live.
    live_rows_at_death = CrimeRecord.objects.filter(crime_month__status=CrimeMonth.LIVE).count()
    assert live_rows_at_death % ROWS_A_MONTH == 0
    assert 2 * ROWS_A_MONTH <= live_rows_at_death < len(MONTHS) * ROWS_A_MONTH
    assert CrimeImport.objects.get(pk=crime_import.pk).status == CrimeImport.LOADING

    second = workers()
    settings.SIGNPOST_CRIME_IMPORT_LEASE_SECONDS = 2
    # Not yet: the dead run's lease still holds.
    with django_capture_on_commit_callbacks(execute=True):
        assert crime_imports_resume() == []
    time.sleep(2.5)
    with django_capture_on_commit_callbacks(execute=True):
        assert crime_imports_resume() == [crime_import.pk]

    def finished():
        current = CrimeImport.objects.get(pk=crime_import.pk)
        return current if current.status in CrimeImport.FINISHED and not current.file else None

    done = wait_for(finished, seconds=180, worker=second)
    assert done.status == CrimeImport.DONE, done.problem
    assert done.months_loaded == len(MONTHS) and done.rows_done == done.rows_total
    assert not done.file  # the upload is removed once imported
    months = CrimeMonth.objects.all()
    assert sorted(months.values_list("month", "status", "row_count")) == [
        (month, CrimeMonth.LIVE, ROWS_A_MONTH) for month in MONTHS
    ]
    assert CrimeRecord.objects.count() == len(MONTHS) * ROWS_A_MONTH
