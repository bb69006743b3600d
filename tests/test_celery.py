"""Tasks travel through a real Redis broker to a real worker process."""

import importlib.util
import os
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def celery_worker_process(redis_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "signpost.settings.dev",
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
    }
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "signpost",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield queue
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


@pytest.mark.redis
def test_a_task_runs_end_to_end_through_redis_and_a_worker(celery_worker_process, redis_url):
    from celery import Celery

    client = Celery("signpost-test", broker=redis_url, backend=redis_url, set_as_current=False)
    token = uuid.uuid4().hex
    result = client.send_task("signpost.heartbeat", args=[token], queue=celery_worker_process)
    answer = result.get(timeout=60)
    assert answer["token"] == token
    assert answer["worker"]


def settings_computed(monkeypatch, module: str, **environ) -> dict:
    """The settings ``module`` works out in this environment, apart from the test
    settings in force (which always run tasks in the test's own process)."""
    for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.find_spec(module)
    settings = importlib.util.module_from_spec(spec)  # a fresh copy, not the one in use
    spec.loader.exec_module(settings)
    return vars(settings)


def test_without_a_broker_tasks_run_in_process(monkeypatch):
    """The rule in base settings: no CELERY_BROKER_URL, no broker to wait for, so a task
    runs where it is queued; with one, it goes to the broker and a worker."""
    from signpost.celery import app
    from signpost.tasks import heartbeat

    without = settings_computed(monkeypatch, "signpost.settings.base")
    assert without["CELERY_BROKER_URL"] is None
    assert without["CELERY_TASK_ALWAYS_EAGER"] is True
    with_broker = settings_computed(
        monkeypatch, "signpost.settings.base", CELERY_BROKER_URL="redis://broker.invalid:6379/0"
    )
    assert with_broker["CELERY_TASK_ALWAYS_EAGER"] is False

    monkeypatch.setitem(app.conf, "task_always_eager", without["CELERY_TASK_ALWAYS_EAGER"])
    answer = heartbeat.delay("in-process").get(timeout=5)
    assert answer == {"token": "in-process", "worker": socket.gethostname(), "at": answer["at"]}


# Tasks that run no service of their own: the heartbeat answers by itself, scheduled
# publishing is Wagtail's command, the beat heartbeat's stamp lives with the health checks
# that read it (signpost.health), and the job ledger's resend is signpost.jobs's.
WITHOUT_A_SERVICE = {
    "signpost.heartbeat",
    "engagement.pages_publish_scheduled",
    "signpost.beat_heartbeat_stamp",
    "signpost.jobs_resume_stalled",
    # The project package's services live in modules named for their area.
    "signpost.prepared_export_build",
    "signpost.prepared_exports_delete_expired",
}


def registered_tasks():
    """Every task Signpost registers (Celery's own left out), by registered name."""
    from signpost.celery import app

    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_every_task_is_named_after_the_service_it_runs():
    """One scheme: a task is the function ``<app label>.<name>`` in a ``tasks`` module, and
    ``<name>`` is the service it runs, in the ``services`` module beside it. A name it had
    before is registered as well, for messages already queued."""
    from importlib import import_module

    from django.apps import apps
    from signpost.celery import FORMER_TASK_NAMES

    def function_of(task):
        # A bound task (bind=True) gives its function as a method.
        return getattr(task.__wrapped__, "__func__", task.__wrapped__)

    tasks = registered_tasks()
    assert len(tasks) > 20
    for registered, task in tasks.items():
        function = function_of(task)
        module = function.__module__
        assert module.endswith(".tasks"), registered
        label = apps.get_containing_app_config(module).label
        name = f"{label}.{function.__name__}"
        if registered != name:
            assert registered in FORMER_TASK_NAMES.get(name, ()), registered
            assert function_of(tasks[name]) is function
            continue
        if name not in WITHOUT_A_SERVICE:
            services = import_module(module.rpartition(".")[0] + ".services")
            assert callable(getattr(services, function.__name__, None)), name


@pytest.mark.django_db
def test_a_message_queued_under_a_former_task_name_still_runs(
    comms_officer, django_capture_on_commit_callbacks
):
    from django.core import mail

    from reports.models import ProgressReport

    with django_capture_on_commit_callbacks(execute=True):
        registered_tasks()["reports.draft_monthly_report"].apply().get()
    assert ProgressReport.objects.get().is_monthly
    assert [message.to for message in mail.outbox] == [[comms_officer.email]]
