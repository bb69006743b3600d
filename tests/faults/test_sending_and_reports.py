"""A campaign send and the monthly report survive their worker being killed (SIGKILL):
the campaign reaches every recipient, with second copies only inside the one batch that
was at the ESP when the worker died (the documented risk); the report's draft is made
once and its notice sent once. The public site answers throughout. A send also carries
on after the database server restarts under it."""

import collections
import re
import time

import pytest
from django.db import connections, transaction
from django.test import Client
from signpost.dev_mail import _UNSAFE

from newsletters.models import Campaign
from newsletters.sending import services as sending_services
from reports.models import ProgressReport
from tests.factories import AreaFactory
from tests.newsletters.factories import CampaignFactory, SubscriberFactory

from .conftest import killed, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

RECIPIENTS = 400
BATCH = 50  # tests/faults/settings.py
MAILED = re.compile(r"^\d{8}-\d{6}-\d{6}-\d{4}-(.+)\.eml$")


def mailed(stack) -> collections.Counter:
    """Copies delivered per recipient, from the development mailbox's files; the staff's
    sign-off notices (the author told of the approval) are not part of a send."""
    folder = stack.folder / "var" / "mail"
    return collections.Counter(
        match.group(1)
        for path in folder.glob("*.eml")
        if (match := MAILED.match(path.name))
        and "X-Mailgun-Tag: sign-off" not in path.read_text(errors="replace")
    )


def test_a_campaign_send_finishes_after_its_worker_is_killed_mid_send(
    stack, comms_officer, approver
):
    from newsletters.campaigns import services as campaign_services

    area = AreaFactory(name="Eastfield", slug="eastfield", postcode_prefixes="HB1 4")
    subscribers = SubscriberFactory.create_batch(RECIPIENTS, area=area)
    campaign = CampaignFactory(created_by=comms_officer, areas=[area])
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    stack.beat()
    victim = stack.worker(fault="campaign-mid-send", name="victim")
    with transaction.atomic():
        sending_services.campaign_send_now(campaign=campaign, user=approver)
    resident = Client()
    assert killed(victim), stack.logs()
    assert resident.get("/").status_code == 200
    at_kill = sum(mailed(stack).values())
    assert BATCH * 2 < at_kill < RECIPIENTS  # it died part-way

    stack.worker(name="replacement")

    def sent():
        assert resident.get("/").status_code == 200
        return Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT

    wait_for(sent, timeout=120, every=0.5, message=stack.logs())
    copies = mailed(stack)
    expected = {_UNSAFE.sub("_", subscriber.email) for subscriber in subscribers}
    assert set(copies) == expected  # nobody lost
    twice = [address for address, count in copies.items() if count > 1]
    assert len(twice) <= BATCH and max(copies.values()) <= 2  # at most the batch at the ESP


def test_a_campaign_send_finishes_after_postgresql_restarts_mid_send(
    stack, own_postgres, comms_officer, approver
):
    """The database server restarted (its own cluster) while batches are going out: the
    send carries on once it is back, nobody lost, second copies within one batch."""
    from newsletters.campaigns import services as campaign_services

    area = AreaFactory(name="Eastfield", slug="eastfield", postcode_prefixes="HB1 4")
    subscribers = SubscriberFactory.create_batch(RECIPIENTS, area=area)
    campaign = CampaignFactory(created_by=comms_officer, areas=[area])
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    stack.beat()
    stack.worker(fault="campaign-slow-send")
    with transaction.atomic():
        sending_services.campaign_send_now(campaign=campaign, user=approver)
    wait_for(
        lambda: sum(mailed(stack).values()) >= BATCH * 2,
        timeout=60,
        every=0.1,
        message=stack.logs(),
    )
    own_postgres.stop()
    connections.close_all()
    during = sum(mailed(stack).values())
    assert during < RECIPIENTS  # it was part-way when the server went
    time.sleep(4)
    own_postgres.start()
    connections.close_all()

    resident = Client()

    def sent():
        assert resident.get("/").status_code == 200
        return Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT

    wait_for(sent, timeout=180, every=0.5, message=stack.logs())
    copies = mailed(stack)
    expected = {_UNSAFE.sub("_", subscriber.email) for subscriber in subscribers}
    assert set(copies) == expected  # nobody lost
    twice = [address for address, count in copies.items() if count > 1]
    assert len(twice) <= BATCH and max(copies.values()) <= 2
    log = (own_postgres.folder / "log").read_text()
    assert log.count("database system is shut down") == 1


def test_the_monthly_report_is_drafted_and_announced_once_after_its_worker_is_killed(
    stack, comms_officer
):
    from reports.tasks import report_draft_monthly

    stack.beat()
    victim = stack.worker(fault="report-after-draft", name="victim")
    report_draft_monthly.delay()  # as beat sends it on the first of the month
    assert killed(victim), stack.logs()
    report = ProgressReport.objects.get(is_monthly=True)
    assert report.ready_notified_at is None  # drafted, not yet announced

    stack.worker(name="replacement")

    def announced():
        assert Client().get("/").status_code == 200
        return ProgressReport.objects.get(pk=report.pk).ready_notified_at is not None

    wait_for(announced, timeout=90, every=0.5, message=stack.logs())
    assert ProgressReport.objects.filter(is_monthly=True).count() == 1
    notices = mailed(stack)
    assert notices == {_UNSAFE.sub("_", comms_officer.email): 1}
