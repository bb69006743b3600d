"""One way to run Signpost: compose.yaml and the Dockerfile call `bin/signpost`'s entry
points (CI cannot build images, so their structure is checked here and the entry points
are run as processes by .ci/run); tasks are routed so print runs never hold up sends; logs
never carry tokens, codes or query strings."""

import datetime
import logging
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from signpost.celery import app
from signpost.logs import GunicornLogger, RedactPaths, redact_path

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = {"web", "worker", "beat", "release"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_runs_every_process_through_the_entry_points(compose):
    services = compose["services"]
    assert set(services) == {
        "postgres",
        "redis",
        "release",
        "web",
        "worker",
        "worker-print",
        "beat",
    }
    image = services["web"]["image"]
    for name in ("release", "web", "worker", "worker-print", "beat"):
        service = services[name]
        assert service["image"] == image and service["command"][0] in ENTRY_POINTS, name
        env = service["environment"]
        assert env["DATABASE_URL"].endswith("@postgres:5432/signpost"), name
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/"), name
        assert "signpost-data:/var/lib/signpost" in service["volumes"], name
        if name != "release":
            assert service["depends_on"]["release"] == {
                "condition": "service_completed_successfully"
            }, name
    assert services["release"]["restart"] == "no"
    assert services["beat"]["deploy"]["replicas"] == 1
    assert services["worker"]["environment"]["SIGNPOST_WORKER_QUEUES"] == "send,default"
    assert services["worker-print"]["environment"]["SIGNPOST_WORKER_QUEUES"] == "print"
    # No password written into the file: it comes from the environment.
    assert "${POSTGRES_PASSWORD:?" in (ROOT / "compose.yaml").read_text()
    assert services["postgres"]["image"].startswith("postgres:15")  # pg_dump 15 in the image


def test_the_image_starts_the_same_entry_point():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["/usr/bin/tini", "--", "bin/signpost"]' in dockerfile
    assert "postgresql-client-15" in dockerfile
    assert "/healthz" in dockerfile


def test_the_entry_point_refuses_an_unknown_command():
    done = subprocess.run(
        [str(ROOT / "bin" / "signpost"), "serve"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and "usage: bin/signpost" in done.stderr


def test_print_runs_and_sends_travel_on_queues_of_their_own():
    app.loader.import_default_modules()
    queues = {queue.name for queue in settings.CELERY_TASK_QUEUES}
    assert queues == {"default", "send", "print"}
    routed = {
        name: app.amqp.router.route({}, name)["queue"].name
        for name in app.tasks
        if not name.startswith("celery.")
    }
    assert set(routed.values()) == queues
    for name, queue in routed.items():
        if name.startswith(("printing.print_run_render", "printing.render_print_run")):
            assert queue == "print", name
        elif name.startswith(
            (
                "newsletters.campaign_send_chunk",
                "newsletters.campaign_write_deliveries",
                "newsletters.subscriber_sign_up",
                "newsletters.subscriber_welcome_send",
                "newsletters.campaign_review_notify_send",
                "engagement.press_release_email_media_contacts",
                "engagement.press_release_notice_send",
                "engagement.stakeholder_alert_email",
                "engagement.tasks.stakeholder_alert_email",
                "reports.report_ready_notify",
                "reports.report_issued_notify_send",
            )
        ):
            assert queue == "send", name
        else:
            assert queue == "default", name


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        ("/newsletters/unsubscribe/eyJlbWFpbCI6ImFAYi5jIn0:1s/", "/newsletters/unsubscribe/…"),
        ("/newsletters/confirm/abc:def/", "/newsletters/confirm/…"),
        ("/newsletters/preferences/abc/", "/newsletters/preferences/…"),
        ("/q/K7P2QX", "/q/…"),
        ("/survey/baseline-2026/?code=HX4K-93PA", "/survey/baseline-2026/"),
        (
            "/admin/newsletters/subscribers/?q=resident@example.org",
            "/admin/newsletters/subscribers/",
        ),
        ("/admin/password_reset/confirm/MQ/set-password/", "/admin/password_reset/confirm/…"),
        ("/news/eastfield-closure/", "/news/eastfield-closure/"),
    ],
)
def test_logged_paths_lose_tokens_codes_and_queries(path, logged):
    assert redact_path(path) == logged


def test_django_records_and_gunicorns_access_log_are_redacted():
    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "%s: %s", ("Not Found", "/q/K7P2QX"), None
    )
    RedactPaths().filter(record)
    assert record.getMessage() == "Not Found: /q/…"

    class Config:
        def __getattr__(self, name):
            return None

    logger = GunicornLogger.__new__(GunicornLogger)
    logger.cfg = Config()

    class Response:
        status = "200 OK"
        headers = []
        sent = 10
        response_length = 10

    class Request:
        headers = [("REFERER", "http://x/newsletters/confirm/abc/")]
        method = "GET"
        uri = "/survey/baseline/?code=HX4K-93PA"
        query = "code=HX4K-93PA"
        version = (1, 1)

    environ = {
        "PATH_INFO": "/survey/baseline/",
        "RAW_URI": "/survey/baseline/?code=HX4K-93PA",
        "QUERY_STRING": "code=HX4K-93PA",
        "REQUEST_METHOD": "GET",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.1",
        "HTTP_REFERER": "http://x/newsletters/confirm/abc/",
    }
    atoms = logger.atoms(Response(), Request(), environ, datetime.timedelta(seconds=0.01))
    assert "HX4K" not in str(atoms) and "confirm/abc" not in str(atoms)
    assert atoms["U"] == "/survey/baseline/"


def test_web_workers_fork_with_the_loaded_code_frozen_out_of_the_collector():
    """Each web worker starts with the preloaded code in the collector's permanent
    generation (.ci/production.sh runs the real master and its workers)."""
    import gc

    config: dict = {}
    exec((ROOT / "deploy" / "gunicorn.conf.py").read_text(), config)  # noqa: S102
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        config["pre_fork"](server=None, worker=None)
        frozen = gc.get_freeze_count()
        assert frozen > 100_000
    finally:
        gc.unfreeze()
