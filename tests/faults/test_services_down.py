"""Services going away under a running print run: Redis (broker and cache) stopped and
started again empty, and PostgreSQL restarted (a cluster of the suite's own, stopped and
started again by ``pg_ctl``). The run finishes once, the public site answers while Redis is
down, and a sign-up made meanwhile is kept and handed on when the broker is back."""

import time

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from signpost import cache as fail_soft
from signpost.models import Job

from newsletters.subscribers.consent import CURRENT_WORDING_VERSION
from newsletters.subscribers.models import Subscriber
from printing.models import PrintRun
from surveys.models import ResponseCode
from tests.surveys.factories import SurveyWaveFactory

from .conftest import wait_for
from .test_print_runs import LEAFLETS, create_run, public_pages_answer

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def finished(run, resident, wave, *, pages: bool = True):
    def ready():
        if pages:
            public_pages_answer(resident, wave, run)
        run.refresh_from_db()
        assert run.status != PrintRun.Status.FAILED, run.error
        return run.status == PrintRun.Status.READY

    return ready


def test_redis_stopped_mid_run_the_site_answers_and_the_run_finishes_once(
    stack,
    own_redis,
    settings,
    client,
    neighbourhood_officer,
    initiative,
    operation,
    area,
    leaflet_template,
):
    settings.CACHES = {
        "default": {"BACKEND": "signpost.cache.FailSoftRedisCache", "LOCATION": own_redis.url(1)}
    }
    wave = SurveyWaveFactory(area=area, operation=operation, slug="canal-before")
    stack.beat()
    stack.worker()
    run = create_run(client, neighbourhood_officer, operation, area, leaflet_template, wave)
    wait_for(
        lambda: PrintRun.objects.get(pk=run.pk).items_rendered >= 100,
        timeout=60,
        every=0.05,
        message=stack.logs(),
    )
    own_redis.stop()
    resident = Client()
    public_pages_answer(resident, wave, run)
    assert fail_soft.cache_down_since() is not None  # served uncached
    response = resident.post(
        reverse("newsletters:subscribe"),
        {
            "email": "sam@example.org",
            "postcode": "hb1 4ab",
            "consent": "on",
            "wording_version": CURRENT_WORDING_VERSION,
            "website": "",
        },
    )
    assert response.status_code == 302
    assert Job.objects.get(task="newsletters.subscriber_sign_up").sent_at is None
    time.sleep(3)
    own_redis.start()  # empty: every queued message was lost with it
    fail_soft._down_since.clear()

    wait_for(finished(run, resident, wave), timeout=150, every=0.5, message=stack.logs())
    assert run.page_count == LEAFLETS
    assert ResponseCode.objects.filter(print_run_id=run.pk, active=True).count() == LEAFLETS
    # The sign-up made while the broker was down was handed on when it came back.
    wait_for(
        lambda: Subscriber.objects.filter(email="sam@example.org").exists(),
        timeout=60,
        message=stack.logs(),
    )


def test_postgresql_restarted_mid_run_the_run_finishes_once(
    stack,
    own_postgres,
    client,
    neighbourhood_officer,
    initiative,
    operation,
    area,
    leaflet_template,
):
    """A real restart of the database server (its own cluster: stopped with every session
    ended, refusing connections for a while, started again) in the middle of a run."""
    wave = SurveyWaveFactory(area=area, operation=operation, slug="canal-before")
    stack.beat()
    stack.worker()
    run = create_run(client, neighbourhood_officer, operation, area, leaflet_template, wave)
    wait_for(
        lambda: PrintRun.objects.get(pk=run.pk).items_rendered >= 100,
        timeout=60,
        every=0.05,
        message=stack.logs(),
    )
    own_postgres.stop()
    connections.close_all()
    resident = Client()
    # While it is down the site says so plainly rather than hanging.
    ready = resident.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"]["ok"] is False
    time.sleep(4)
    own_postgres.start()
    connections.close_all()

    wait_for(finished(run, resident, wave), timeout=180, every=0.5, message=stack.logs())
    assert run.page_count == LEAFLETS
    codes = ResponseCode.objects.filter(print_run_id=run.pk)
    assert codes.count() == LEAFLETS and not codes.filter(active=False).exists()
    assert resident.get("/readyz").json()["checks"]["database"]["ok"] is True
    # The server really went away: the cluster's log shows both shutdown and start-up.
    log = (own_postgres.folder / "log").read_text()
    assert log.count("database system is shut down") == 1
    assert log.count("database system is ready to accept connections") == 2
