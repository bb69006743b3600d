"""The newsletter figures that progress reports and the dashboard ask the newsletters app
for: subscribers per area, who joined and left in the days asked about, and the campaigns
sent then with their delivery, open and unsubscribe rates."""

import datetime

import pytest
from django.utils import timezone

from newsletters.models import Campaign, Delivery, Subscriber
from newsletters.sending.selectors import newsletter_section

from ..factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def subscribers(eastfield, riverside):
    now = timezone.now()
    SubscriberFactory.create_batch(3, area=eastfield, confirmed_at=now - 2 * DAY)
    SubscriberFactory(area=eastfield, confirmed_at=now - 90 * DAY)
    SubscriberFactory(
        area=riverside,
        status=Subscriber.Status.UNSUBSCRIBED,
        confirmed_at=now - 90 * DAY,
        unsubscribed_at=now - DAY,
    )
    SubscriberFactory(area=None, confirmed_at=now - DAY)
    SubscriberFactory(area=riverside, status=Subscriber.Status.PENDING, confirmed_at=None)


def _sent(campaign, subscriber, *moments: str):
    """A delivery sent now, and delivered, opened… now for each of ``moments``."""
    now = timezone.now()
    return Delivery.objects.create(
        campaign=campaign,
        subscriber=subscriber,
        status=Delivery.Status.DELIVERED if "delivered_at" in moments else Delivery.Status.SENT,
        sent_at=now,
        **dict.fromkeys(moments, now),
    )


def test_subscribers_per_area_and_who_joined_and_left_in_the_days_asked(
    subscribers, eastfield, riverside, today, django_assert_num_queries
):
    with django_assert_num_queries(2):
        figures = newsletter_section(start=today - 29 * DAY, end=today)

    # A pending sign-up is nobody's subscriber yet, and counts nowhere.
    assert {row.pop("area"): row for row in figures["areas"]} == {
        "Eastfield": {"subscribed": 4, "joined": 3, "left": 0, "growth": 3},
        "Riverside": {"subscribed": 0, "joined": 0, "left": 1, "growth": -1},
        "Outside the areas": {"subscribed": 1, "joined": 1, "left": 0, "growth": 1},
    }
    assert (figures["subscribed"], figures["joined"], figures["left"]) == (5, 4, 1)
    assert figures["campaigns"] == []


def test_campaigns_sent_in_the_days_asked_with_their_rates(subscribers, eastfield, today):
    campaign = CampaignFactory(
        name="March update", send_started_at=timezone.now(), status=Campaign.Status.SENT
    )
    first, second, third = Subscriber.objects.filter(area=eastfield, confirmed_at__isnull=False)[:3]
    _sent(campaign, first, "delivered_at", "opened_at")
    _sent(campaign, second, "delivered_at", "unsubscribed_at")
    _sent(campaign, third)  # sent, no delivery report yet
    CampaignFactory(
        name="Last year", send_started_at=timezone.now() - 400 * DAY, status=Campaign.Status.SENT
    )

    [shown] = newsletter_section(start=today - 29 * DAY, end=today)["campaigns"]
    assert shown == {
        "name": "March update",
        "sent_on": today.isoformat(),
        "status": "Sent",
        "sent": 3,
        "delivered": 2,
        "opened": 1,
        "unsubscribed": 1,
        "bounced": 0,
        "delivery_rate": 66.7,
        "open_rate": 50.0,
        "unsubscribe_rate": 50.0,
    }


def test_a_campaign_with_nothing_delivered_has_no_rates(today):
    CampaignFactory(name="Just started", send_started_at=timezone.now(), status="sending")
    [shown] = newsletter_section(start=today, end=today)["campaigns"]
    assert (shown["delivery_rate"], shown["open_rate"], shown["unsubscribe_rate"]) == (
        None,
        None,
        None,
    )
