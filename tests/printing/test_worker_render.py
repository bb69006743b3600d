"""A large per-household run goes from the admin through a real Redis broker to a real
Celery worker process, which lays the page out once and queues the run's parts (a chord
of part tasks, then a join) on its own queue; the progress bar moves as parts finish, and
the officer then downloads one PDF with every household's own code."""

import io
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pikepdf
import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from printing.models import PrintRun, ShortLink
from surveys.models import ResponseCode
from tests.conftest import ensure_migrated_data
from tests.surveys.factories import SurveyWaveFactory

from .conftest import decode_qr_codes

ROOT = Path(__file__).resolve().parents[2]
LEAFLETS = 200  # two parts of 100


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def media_root(tmp_path, settings):
    """The worker writes the PDF where this process's storage will read it."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "signpost.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def render_worker(redis_url, transactional_db, django_db_serialized_rollback, media_root, tmp_path):
    """A worker process on the test database, consuming a queue of its own; while it
    runs, render tasks queued in this process go to it through Redis."""
    from celery import Celery
    from signpost.celery import app as signpost_app

    ensure_migrated_data()
    queue = f"test-print-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "signpost.settings.dev",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": media_root,
        "SIGNPOST_PRIVATE_ROOT": str(tmp_path / "private"),
        "SIGNPOST_BASE_URL": "http://testserver",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "SIGNPOST_PRINT_PART_SIZE": "100",
        "SIGNPOST_PRINT_WORK_DIR": str(tmp_path / "work"),
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen(
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
    worker.log_path = tmp_path / "worker.log"
    worker.work_dir = env["SIGNPOST_PRINT_WORK_DIR"]
    broker = Celery("signpost-test", broker=redis_url, set_as_current=True)
    broker.conf.task_routes = {"printing.print_run_render": {"queue": queue}}
    try:
        yield worker
    finally:
        signpost_app.set_current()
        broker.close()
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        log.close()


@pytest.mark.redis
@pytest.mark.postgres
def test_a_large_household_run_is_rendered_by_a_worker_and_downloads_as_one_pdf(
    render_worker,
    client,
    neighbourhood_officer,
    initiative,
    operation,
    area,
    leaflet_template,
):
    wave = SurveyWaveFactory(area=area, operation=operation, slug="canal-before")
    client.force_login(neighbourhood_officer)
    response = client.post(
        reverse("printing_admin:create"),
        {
            "create": "1",
            "operation": operation.pk,
            "area": area.pk,
            "template": leaflet_template.pk,
            "format": "a5_leaflet_1",
            "quantity": LEAFLETS,
            "per_household": "on",
            "qr_target": "survey",
            "survey_wave": wave.pk,
        },
    )
    run = PrintRun.objects.get()
    assert response["Location"] == reverse("printing_admin:run", args=[run.pk])

    # The officer's page polls the status while the worker renders.
    status_url = reverse("printing_admin:status", args=[run.pk])
    seen = []
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        status = client.get(status_url).json()
        seen.append(status["percent"])
        if status["status"] in ("ready", "failed"):
            break
        assert render_worker.poll() is None, render_worker.log_path.read_text()
        time.sleep(0.2)
    assert status["status"] == "ready", (status, render_worker.log_path.read_text())
    assert seen == sorted(seen) and seen[-1] == 100
    # The bar moves as each part of 100 is stamped (the parts take well under a second
    # each, so a poll may not catch the half-way mark; per-part reporting itself is
    # checked without a worker in test_large_runs).
    assert set(seen) <= {0, 50, 100}, seen
    assert status["items_total"] == LEAFLETS

    run.refresh_from_db()
    assert (run.page_count, run.items_rendered) == (LEAFLETS, LEAFLETS)
    download = client.get(status["download_url"])
    assert download.status_code == 200
    pdf = b"".join(download.streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == LEAFLETS

    codes = list(ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk"))
    assert len({code.code for code in codes}) == LEAFLETS
    # Every leaflet carries its own household's code, in order, across the batches.
    for page, code in zip(reader.pages, codes, strict=True):
        assert code.display in page.extract_text()
    link = ShortLink.objects.get(print_run=run)
    for number in (1, 100, 101, LEAFLETS):  # the first, each side of the part boundary, the last
        assert decode_qr_codes(pdf, first_page=number) == [
            f"http://testserver/q/{link.code}#{codes[number - 1].code}"
        ]
    # Parts stamped apart, joined beside one copy of the laid-out page; no work file left.
    with pikepdf.open(io.BytesIO(pdf)) as document:
        forms = [
            obj
            for obj in document.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Form"
        ]
        assert len(forms) == 1
    work = Path(render_worker.work_dir)
    assert [path for path in work.rglob("*") if path.is_file()] == []
