"""The dashboard's campaign figures: a finished campaign's delivery counts are counted
once and kept, so the admin home, the dashboard and a report preview do not read a
force-wide send's 200,000 deliveries on every view; an ESP event or an unsubscribe
that changes them makes the next view count them again."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletters.models import ConsentRecord, Delivery, TrackingEvent
from newsletters.sending.selectors import newsletter_section
from newsletters.subscribers.services import subscriber_unsubscribe
from newsletters.tracking.services import tracking_event_process

from ..factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


def sent_campaign(recipients: int, *, finished=True):
    started = timezone.now() - datetime.timedelta(days=2)
    campaign = CampaignFactory(
        send_started_at=started, send_finished_at=started if finished else None
    )
    subscribers = SubscriberFactory.create_batch(recipients)
    Delivery.objects.bulk_create(
        Delivery(
            campaign=campaign,
            subscriber=s,
            status=Delivery.Status.DELIVERED,
            delivered_at=started,
        )
        for s in subscribers
    )
    return campaign, subscribers


def figures() -> dict:
    today = timezone.localdate()
    section = newsletter_section(start=today - datetime.timedelta(days=29), end=today)
    return {c["name"]: c for c in section["campaigns"]}


def queries(read) -> int:
    with CaptureQueriesContext(connection) as captured:
        read()
    return len(captured)


def test_the_figures_take_as_many_queries_for_many_deliveries():
    sent_campaign(3)
    cold, warm = queries(figures), queries(figures)
    assert warm == cold - 1  # the finished campaign's counts kept
    cache.clear()
    for _ in range(3):
        sent_campaign(30)
    assert queries(figures) == cold
    assert queries(figures) == warm
    # A campaign still sending is counted on every view, in the same query.
    sending, _ = sent_campaign(2, finished=False)
    assert queries(figures) == warm + 1 == queries(figures)
    assert figures()[sending.name]["delivered"] == 2


def test_an_event_or_an_unsubscribe_counts_the_figures_again(
    django_capture_on_commit_callbacks,
):
    campaign, subscribers = sent_campaign(3)
    before = figures()[campaign.name]
    assert (before["sent"], before["delivered"], before["opened"]) == (3, 3, 0)

    delivery = Delivery.objects.get(subscriber=subscribers[0])
    record = TrackingEvent.objects.create(
        event_id="e1",
        event_type="opened",
        payload={
            "event_type": "opened",
            "recipient": subscribers[0].email,
            "delivery": str(delivery.pk),
            "timestamp": timezone.now().isoformat(),
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert tracking_event_process(event_pk=record.pk)
    assert figures()[campaign.name]["opened"] == 1

    with django_capture_on_commit_callbacks(execute=True):
        subscriber_unsubscribe(
            subscriber=subscribers[1],
            method=ConsentRecord.Method.EMAIL_LINK,
            campaign_id=campaign.pk,
        )
    after = figures()[campaign.name]
    assert after["unsubscribed"] == 1 and after["unsubscribe_rate"] == 33.3
