"""Dependencies fail soft: with the cache's Redis down the public site is served
uncached; with the broker down the public forms keep the resident's input and hand it on
when it is back; the admin names the service that is down."""

import socket

import pytest
from django.core.cache import caches
from django.urls import reverse
from signpost import cache as fail_soft
from signpost import jobs, service_status
from signpost.models import Job

from newsletters.subscribers.consent import CURRENT_WORDING_VERSION
from newsletters.subscribers.models import Subscriber

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nothing listens on (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "signpost.cache.FailSoftRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    fail_soft._down_since.clear()
    service_status.forget_checks()
    yield caches["default"]
    fail_soft._down_since.clear()
    service_status.forget_checks()


@pytest.fixture
def broker_down():
    """Tasks sent to a broker, as in production, at a port where nothing listens: a
    Celery app of its own, so no connection another test opened is reused."""
    from celery import Celery
    from signpost.celery import app as signpost_app

    broker = Celery("signpost-broker-down", broker=f"redis://127.0.0.1:{closed_port()}/0")
    broker.conf.broker_transport_options = {"socket_connect_timeout": 1}
    broker.set_current()
    service_status.forget_checks()
    yield broker
    signpost_app.set_current()
    broker.close()
    service_status.forget_checks()


def test_the_cache_down_answers_as_an_empty_cache(cache_down):
    assert cache_down.get("k", "default") == "default"
    assert cache_down.set("k", 1) is False
    assert cache_down.add("k", 0) is True
    assert cache_down.incr("k", 3) == 3
    assert cache_down.get_many(["a", "b"]) == {}
    assert fail_soft.cache_down_since() is not None


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/areas/",
        "/areas/eastfield/",
        "/areas/?postcode=ZZ9+9ZZ",
        "/search/?q=canal",
        "/newsletters/subscribe/",
        "/survey/eastfield-before/",
    ],
)
def test_with_the_cache_down_public_pages_answer(client, cache_down, path):
    from tests.neighbourhoods.factories import public_site_create

    public_site_create()
    assert client.get(path).status_code == 200


def test_with_the_cache_down_a_qr_scan_still_leads_on(client, cache_down):
    response = client.get("/q/NOSUCH/")
    assert response.status_code == 404  # an unknown code's own page, not an error


def sign_up(client, email="sam@example.org"):
    return client.post(
        "/newsletters/subscribe/",
        {
            "email": email,
            "postcode": "hb1 4ab",
            "consent": "on",
            "wording_version": CURRENT_WORDING_VERSION,
            "website": "",
        },
    )


def test_with_the_broker_down_sign_up_keeps_the_input_and_beat_hands_it_on(
    client, broker_down, monkeypatch, django_capture_on_commit_callbacks
):
    response = sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("newsletters:check_email")
    job = Job.objects.get(task="newsletters.subscriber_sign_up")
    assert (job.state, job.sent_at) == (Job.State.QUEUED, None)
    assert job.kwargs["email"] == "sam@example.org"
    assert not Subscriber.objects.exists()

    # The broker is back: beat's next resend runs it (here, in this process).
    broker_down.conf.task_always_eager = True
    later = job.queued_at + __import__("datetime").timedelta(seconds=60)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.jobs_resume_stalled(now=later) == 1
    assert Subscriber.objects.get().email == "sam@example.org"
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.kwargs == {}


def test_the_admin_names_the_service_that_is_down(client, comms_officer, cache_down, broker_down):
    client.force_login(comms_officer)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "The shared cache (Redis) is not answering" in page
    assert "The task broker (Redis) is not answering" in page
    assert "handed on when it is back" in page


def test_the_admin_says_nothing_when_all_is_well(client, comms_officer):
    service_status.forget_checks()
    client.force_login(comms_officer)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "is not answering" not in page
