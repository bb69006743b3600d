"""/healthz and /readyz: each service Signpost needs turns /readyz red on its own, the
answers carry nothing personal or secret, they are rate-limited, and superusers are warned
on the admin home when beat or the workers are silent."""

import time

import pytest
from django.db import OperationalError, connection
from signpost import health, service_status
from signpost.celery import app
from signpost.tasks import beat_heartbeat_stamp

from tests.test_celery import celery_worker_process  # noqa: F401 (a fixture used below)

pytestmark = pytest.mark.django_db
CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens there: refused at once


def readyz(client):
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    return response.status_code, response.json()


@pytest.fixture
def with_broker(settings, monkeypatch, redis_url):
    """Production's arrangement: tasks go through Redis to workers; beat stamps the
    heartbeat (cleared here: no beat has run)."""
    # The app's live config decides (signpost.health.in_process_tasks); set and put back
    # by hand, read before Django's setting changes (the config reads through to it).
    eager = app.conf.task_always_eager
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    monkeypatch.setitem(app.conf, "broker_url", redis_url)
    monkeypatch.setitem(app.conf, "broker_transport_options", {})
    yield redis_url
    app.conf.task_always_eager = eager


def wait_for_a_worker():
    # A worker imports the whole of Signpost before it answers: slow on a busy machine.
    deadline = time.monotonic() + 180
    while not health.check_workers().ok:
        assert time.monotonic() < deadline, f"the worker did not start: {health.check_workers()}"


def test_healthz_answers_without_asking_anything_else(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_is_green_when_everything_answers_in_process(client):
    status, body = readyz(client)
    assert status == 200 and body["status"] == "ok" and body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "broker", "migrations", "beat", "workers"}


def test_the_database_down_turns_readyz_red(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(health.connections[health.DEFAULT_DB_ALIAS], "cursor", refuse)
    result = health.check_database()
    assert not result.ok and result.detail == "OperationalError: unreachable or failing"
    status, body = readyz(client)
    assert status == 503 and "database" in body["failing"]


def test_the_cache_down_turns_readyz_red(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CLOSED_PORT,
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["cache"]


def test_unapplied_migrations_turn_readyz_red(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'signpost' AND name = "
            "(SELECT MAX(name) FROM django_migrations WHERE app = 'signpost')"
        )
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["migrations"]
    assert "1 migration(s) not applied" in body["checks"]["migrations"]["detail"]


@pytest.mark.redis
def test_the_broker_down_turns_readyz_red(client, with_broker, monkeypatch):
    monkeypatch.setitem(app.conf, "broker_url", CLOSED_PORT)
    health.beat_heartbeat_stamp()
    status, body = readyz(client)
    assert status == 503 and "broker" in body["failing"]
    assert CLOSED_PORT not in str(body)  # never the connection string


@pytest.mark.redis
def test_the_broker_down_for_sending_turns_readyz_red(
    client, with_broker, monkeypatch, comms_officer
):
    """Tasks are sent on the write URL (``CELERY_BROKER_WRITE_URL``): that broker down is
    the broker down, even while the one tasks are read from answers; the admin's banner
    says so too, from the same check."""
    monkeypatch.setitem(app.conf, "broker_write_url", CLOSED_PORT)
    health.beat_heartbeat_stamp()
    status, body = readyz(client)
    assert status == 503 and "broker" in body["failing"]
    assert body["checks"]["broker"]["detail"] == "OperationalError: unreachable or failing"
    assert CLOSED_PORT not in str(body)

    service_status.forget_checks()
    client.force_login(comms_officer)
    assert "The task broker (Redis) is not answering" in client.get("/admin/").content.decode()
    service_status.forget_checks()


@pytest.mark.redis
def test_beat_silent_turns_readyz_red_until_its_heartbeat_runs(
    client,
    with_broker,
    settings,
    celery_worker_process,  # noqa: F811
):
    wait_for_a_worker()
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["beat"]
    assert "no heartbeat yet" in body["checks"]["beat"]["detail"]

    health.cache.set(health.BEAT_HEARTBEAT_KEY, time.time() - 600, timeout=None)
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["beat"]

    beat_heartbeat_stamp()
    status, body = readyz(client)
    assert status == 200, body
    assert body["checks"]["workers"]["detail"] == "a worker answered"


@pytest.mark.redis
def test_no_worker_answering_turns_readyz_red(client, with_broker):
    health.beat_heartbeat_stamp()
    status, body = readyz(client)
    assert status == 503 and body["failing"] == ["workers"]
    assert body["checks"]["workers"]["detail"] == "no worker answered"


def test_health_endpoints_are_rate_limited_per_client(client, settings):
    settings.SIGNPOST_HEALTH_REQUESTS_PER_MINUTE = 3
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 429
    assert client.get("/healthz", REMOTE_ADDR="10.0.0.9").status_code == 200


@pytest.mark.redis
def test_superusers_are_warned_on_the_admin_home_when_beat_and_workers_are_silent(
    client, with_broker, superuser, comms_officer
):
    client.force_login(comms_officer)
    assert 'id="background-silent"' not in client.get("/admin/").content.decode()
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert 'id="background-silent"' in html
    assert "Celery beat</strong>: no heartbeat yet" in html
    assert "Celery workers</strong>: no worker answered" in html


def test_no_warning_while_tasks_run_in_process(client, superuser):
    client.force_login(superuser)
    assert 'id="background-silent"' not in client.get("/admin/").content.decode()
