"""Tasks travel through a real Redis broker to a real worker process."""

import os
import subprocess
import sys
import time
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


def test_without_a_broker_tasks_run_in_process():
    from signpost.tasks import heartbeat

    started = time.time()
    answer = heartbeat.delay("in-process").get(timeout=5)
    assert answer["token"] == "in-process"
    assert time.time() - started < 5
