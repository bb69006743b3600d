"""Mailgun's tracking webhooks (through django-anymail) update deliveries and the
suppression list; a replayed event changes nothing; the work runs in Celery."""

import hashlib
import hmac
import json
import time
import uuid

import pytest
from django.core import mail

from newsletters.campaigns import services as campaign_services
from newsletters.models import (
    Campaign,
    ConsentRecord,
    Delivery,
    Subscriber,
    Suppression,
    TrackingEvent,
)
from newsletters.sending import services as sending_services
from newsletters.sending.selectors import campaign_figures
from newsletters.tracking import services as tracking_services
from tests.webhook_cases import WEBHOOK_SECRET, WebhookSecurityCases, basic_auth

from ..factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

URL = "/anymail/mailgun/tracking/"
SIGNING_KEY = "mailgun-test-signing-key"


def mailgun_payload(
    event_data: dict, *, token: str | None = None, key: str = SIGNING_KEY, age: int = 0
) -> str:
    timestamp = str(int(time.time()) - age)
    token = token or uuid.uuid4().hex
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return json.dumps(
        {
            "signature": {"timestamp": timestamp, "token": token, "signature": signature},
            "event-data": {"timestamp": time.time(), "id": uuid.uuid4().hex, **event_data},
        }
    )


class TestMailgunTrackingWebhookSecurity(WebhookSecurityCases):
    url = URL
    secret_settings = {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}

    def signed_request(self):
        data = mailgun_payload({"event": "delivered", "recipient": "someone@example.org"})
        return {"data": data, "content_type": "application/json"}

    def badly_signed_request(self):
        data = mailgun_payload(
            {"event": "delivered", "recipient": "someone@example.org"}, key="not-the-key"
        )
        return {"data": data, "content_type": "application/json"}

    def stale_signed_request(self):
        data = mailgun_payload(
            {"event": "delivered", "recipient": "someone@example.org"}, age=24 * 3600
        )
        return {"data": data, "content_type": "application/json"}

    def assert_nothing_recorded(self):
        assert not TrackingEvent.objects.exists()


def _mounted_webhook_paths(patterns=None, prefix=""):
    from anymail.webhooks.base import AnymailCoreWebhookView
    from django.urls import URLPattern, get_resolver

    found = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "view_class", None)
            if view_class and issubclass(view_class, AnymailCoreWebhookView):
                found.add("/" + route)
        else:
            found |= _mounted_webhook_paths(pattern.url_patterns, route)
    return found


def test_every_mounted_webhook_is_covered_by_the_security_cases():
    covered = {case.url for case in WebhookSecurityCases.__subclasses__()}
    assert _mounted_webhook_paths() == covered == {URL}


@pytest.mark.parametrize(
    "other_esp",
    ["sendgrid", "postmark", "mailjet", "sparkpost", "brevo", "amazon_ses", "resend"],
)
def test_other_providers_tracking_endpoints_do_not_exist(client, other_esp):
    from django.test import override_settings

    with override_settings(ANYMAIL={"WEBHOOK_SECRET": WEBHOOK_SECRET}):
        response = client.post(
            f"/anymail/{other_esp}/tracking/",
            data=json.dumps([{"event": "unsubscribe", "email": "ann@example.org"}]),
            content_type="application/json",
            HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET),
        )
    assert response.status_code == 404
    assert not TrackingEvent.objects.exists()


@pytest.fixture
def webhook(client, settings, django_capture_on_commit_callbacks):
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
    }

    def post(event_data: dict, *, token: str | None = None, run_tasks: bool = True):
        with django_capture_on_commit_callbacks(execute=run_tasks):
            return client.post(
                URL,
                data=mailgun_payload(event_data, token=token),
                content_type="application/json",
                HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET),
            )

    return post


@pytest.fixture
def sent(approver, comms_officer, eastfield, django_capture_on_commit_callbacks):
    """A campaign sent to two residents; returns (campaign, [deliveries])."""
    SubscriberFactory(email="ann@example.org", area=eastfield)
    SubscriberFactory(email="bob@example.org", area=eastfield)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    with django_capture_on_commit_callbacks(execute=True):
        sending_services.campaign_send_now(campaign=campaign, user=approver)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    return campaign, {
        d.subscriber.email: d for d in campaign.deliveries.select_related("subscriber")
    }


def event_for(delivery, event: str, **extra) -> dict:
    return {
        "event": event,
        "recipient": delivery.subscriber.email,
        "user-variables": {"delivery": str(delivery.pk), "campaign": str(delivery.campaign_id)},
        "message": {"headers": {"message-id": "batch-1@mg.example.org"}},
        **extra,
    }


def test_delivered_and_opened_events_update_the_figures(webhook, sent):
    campaign, deliveries = sent
    assert webhook(event_for(deliveries["ann@example.org"], "delivered")).status_code == 200
    webhook(event_for(deliveries["bob@example.org"], "delivered"))
    webhook(event_for(deliveries["ann@example.org"], "opened"))
    webhook(event_for(deliveries["ann@example.org"], "clicked", url="https://example.org/"))
    figures = campaign_figures(campaign)
    assert (figures["delivered"], figures["opened"], figures["clicked"]) == (2, 1, 1)
    assert (
        Delivery.objects.get(pk=deliveries["bob@example.org"].pk).status
        == Delivery.Status.DELIVERED
    )


def test_a_replayed_event_changes_nothing(webhook, sent):
    campaign, deliveries = sent
    ann = deliveries["ann@example.org"]
    token = uuid.uuid4().hex
    webhook(event_for(ann, "complained"), token=token)
    before = (
        list(Delivery.objects.values()),
        ConsentRecord.objects.count(),
        list(Suppression.objects.values()),
    )
    assert webhook(event_for(ann, "complained"), token=token).status_code == 200
    after = (
        list(Delivery.objects.values()),
        ConsentRecord.objects.count(),
        list(Suppression.objects.values()),
    )
    assert before == after
    assert TrackingEvent.objects.count() == 1


def test_processing_the_same_event_twice_is_harmless(webhook, sent):
    _, deliveries = sent
    webhook(event_for(deliveries["ann@example.org"], "opened"))
    record = TrackingEvent.objects.get()
    assert tracking_services.tracking_event_process(event_pk=record.pk) is False


def test_the_webhook_answers_first_and_hands_the_work_to_celery(
    webhook, sent, django_assert_max_num_queries
):
    _, deliveries = sent
    ann = deliveries["ann@example.org"]
    # The event, and its job in the ledger (looked for, then written in a savepoint), so
    # a broker that is down loses nothing: beat hands the job on when it is back.
    with django_assert_max_num_queries(7):
        response = webhook(event_for(ann, "delivered"), run_tasks=False)
    assert response.status_code == 200
    assert TrackingEvent.objects.get().processed_at is None
    assert Delivery.objects.get(pk=ann.pk).delivered_at is None

    from newsletters.tracking.tasks import tracking_event_process

    tracking_event_process.delay(TrackingEvent.objects.get().pk)
    assert Delivery.objects.get(pk=ann.pk).delivered_at is not None
    # The address is dropped from the stored event once it has been applied.
    assert "recipient" not in TrackingEvent.objects.get().payload


def test_a_hard_bounce_suppresses_the_address_for_every_later_campaign(
    webhook, sent, approver, comms_officer, eastfield, django_capture_on_commit_callbacks
):
    _, deliveries = sent
    ann = deliveries["ann@example.org"]
    webhook(event_for(ann, "failed", severity="permanent", reason="bounce"))
    assert Delivery.objects.get(pk=ann.pk).status == Delivery.Status.BOUNCED
    assert Suppression.objects.get().reason == Suppression.Reason.HARD_BOUNCE
    assert ann.subscriber.consent_records.last().action == ConsentRecord.Action.SUPPRESSED

    mail.outbox.clear()
    again = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    campaign_services.campaign_approve(campaign=again, user=approver)
    with django_capture_on_commit_callbacks(execute=True):
        sending_services.campaign_send_now(campaign=again, user=approver)
    assert [a for m in mail.outbox for a in m.to] == ["bob@example.org"]


def test_a_temporary_failure_changes_nothing(webhook, sent):
    _, deliveries = sent
    webhook(event_for(deliveries["ann@example.org"], "failed", severity="temporary"))
    assert not Suppression.objects.exists()
    assert Delivery.objects.get(pk=deliveries["ann@example.org"].pk).status == Delivery.Status.SENT


def test_a_complaint_suppresses_and_unsubscribes(webhook, sent):
    campaign, deliveries = sent
    webhook(event_for(deliveries["bob@example.org"], "complained"))
    bob = Subscriber.objects.get(email="bob@example.org")
    assert bob.status == Subscriber.Status.UNSUBSCRIBED
    assert Suppression.objects.get().reason == Suppression.Reason.COMPLAINT
    last = bob.consent_records.last()
    assert (last.action, last.method) == (
        ConsentRecord.Action.UNSUBSCRIBED,
        ConsentRecord.Method.ESP_EVENT,
    )
    figures = campaign_figures(campaign)
    assert figures["complained"] == 1 and figures["unsubscribed"] == 1


def test_an_event_found_by_message_id_when_metadata_is_missing(webhook, sent):
    _, deliveries = sent
    ann = deliveries["ann@example.org"]
    Delivery.objects.filter(pk=ann.pk).update(esp_message_id="<batch-7@mg.example.org>")
    webhook(
        {
            "event": "delivered",
            "recipient": "ann@example.org",
            "message": {"headers": {"message-id": "batch-7@mg.example.org"}},
        }
    )
    assert Delivery.objects.get(pk=ann.pk).delivered_at is not None


@pytest.mark.postgres
def test_an_event_found_by_message_id_never_reads_the_whole_ledger(sent):
    """The message id has no index (every index is rewritten at each status change):
    the lookup must reach the row through the subscriber, not by scanning deliveries."""
    from django.db import connection, transaction

    from newsletters.tracking.services import _by_message_id

    query = _by_message_id(Delivery.objects.all(), "<batch-7@mg.example.org>", "ann@example.org")
    sql, params = query.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # Only a plan that needs a full scan uses one when scans cost nothing less.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on newsletters_delivery" not in plan, plan
    # Into the subscriber's deliveries by the index that starts with the subscriber (the
    # unique (campaign, subscriber) one would be read whole).
    assert "newsletters_delivery_subscriber_id" in plan, plan


def test_an_unknown_event_is_accepted_and_ignored(webhook, sent):
    _, deliveries = sent
    before = list(Delivery.objects.values())
    response = webhook({"event": "something-new", "recipient": "ann@example.org"})
    assert response.status_code == 200
    assert list(Delivery.objects.values()) == before
    assert TrackingEvent.objects.get().processed_at is not None


def test_an_event_for_an_address_we_never_mailed_changes_nothing(webhook, sent):
    before = list(Delivery.objects.values())
    webhook({"event": "delivered", "recipient": "stranger@example.org"})
    assert list(Delivery.objects.values()) == before
