"""Subscribers per area on the admin home, the dashboard and every report are read from
counts the database keeps, not from the whole register: they are right the moment a
resident confirms, leaves or is erased, or moves area, and the pages that show them run
the same queries with a few subscribers as with many."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletters.models import AreaSubscriberCount, Campaign, Delivery, Subscriber
from newsletters.subscribers import services as subscriber_services
from newsletters.subscribers import tasks as subscriber_tasks
from newsletters.subscribers import tokens
from newsletters.subscribers.consent import CURRENT_WORDING_VERSION
from tests.factories import AreaFactory

from ..factories import CampaignFactory, SubscriberFactory
from .test_subscriptions import SIGN_UP_URL, link_in

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/reports/dashboard/"
HOME = "/admin/"


def dashboard_row(client, area: str) -> tuple[int, int, int] | None:
    """The dashboard's subscribed, joined and left for ``area``; None when not listed."""
    html = client.get(DASHBOARD).content.decode()
    section = html.split('id="dash-newsletters"', 1)[1].split("</section>", 1)[0]
    row = re.search(
        rf'<th scope="row">{area}</th><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td><td class="num">(\d+)</td>',
        section,
    )
    return tuple(int(n) for n in row.groups()) if row else None


def home_subscribed(client) -> int:
    html = client.get(HOME).content.decode()
    return int(re.search(r"<strong>(\d+)</strong> email subscribers?", html).group(1))


@pytest.fixture
def staff(client, comms_officer):
    client.force_login(comms_officer)
    return client


def test_a_resident_counts_once_confirmed_and_not_once_they_leave(
    staff, eastfield, django_capture_on_commit_callbacks
):
    SubscriberFactory(area=eastfield)
    assert dashboard_row(staff, "Eastfield") == (1, 1, 0)
    resident = Client()
    with django_capture_on_commit_callbacks(execute=True):
        resident.post(
            SIGN_UP_URL,
            {
                "email": "sam.jones@example.org",
                "postcode": "HB1 4AB",
                "consent": "on",
                "wording_version": CURRENT_WORDING_VERSION,
                "website": "",
            },
        )
    # Signed up but not confirmed: not yet a subscriber.
    assert dashboard_row(staff, "Eastfield") == (1, 1, 0)
    assert home_subscribed(staff) == 1

    resident.post(link_in(mail.outbox[0], "/newsletters/confirm/"))
    assert dashboard_row(staff, "Eastfield") == (2, 2, 0)
    assert home_subscribed(staff) == 2

    sam = Subscriber.objects.get(email="sam.jones@example.org")
    unsubscribe = f"/newsletters/unsubscribe/{tokens.manage_token(sam)}/"
    Client().post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert dashboard_row(staff, "Eastfield") == (1, 2, 1)
    assert home_subscribed(staff) == 1
    # Leaving twice takes nothing more away.
    Client().post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert home_subscribed(staff) == 1


def test_an_erased_subscriber_is_no_longer_counted(staff, eastfield):
    SubscriberFactory(area=eastfield)
    erased = SubscriberFactory(area=eastfield)
    assert dashboard_row(staff, "Eastfield") == (2, 2, 0)
    assert staff.post(f"/admin/newsletters/subscribers/delete/{erased.pk}/").status_code == 302
    assert not Subscriber.objects.filter(pk=erased.pk).exists()
    assert dashboard_row(staff, "Eastfield") == (1, 1, 0)
    assert home_subscribed(staff) == 1


def test_a_subscriber_who_moves_is_counted_in_their_new_area(staff, eastfield, riverside):
    mover = SubscriberFactory(area=eastfield)
    SubscriberFactory(area=eastfield)
    subscriber_services.subscriber_update_preferences(
        subscriber=mover, name="", postcode="HB2 1AA", topics=[]
    )
    mover.refresh_from_db()
    assert mover.area == riverside
    assert dashboard_row(staff, "Eastfield") == (1, 1, 0)
    assert dashboard_row(staff, "Riverside") == (1, 1, 0)

    # An area taken away leaves its subscribers outside the areas, still counted.
    riverside.delete()
    assert dashboard_row(staff, "Riverside") is None
    assert dashboard_row(staff, "Outside the areas") == (1, 1, 0)
    assert home_subscribed(staff) == 2


def test_the_nightly_recount_finds_nothing_to_put_right_when_the_counts_were_kept(eastfield):
    SubscriberFactory.create_batch(3, area=eastfield)
    assert subscriber_tasks.area_subscriber_counts_recount() == 0


@pytest.mark.postgres  # the kept counts are PostgreSQL's triggers; SQLite counts each view
def test_the_nightly_recount_puts_right_a_count_that_drifted(staff, eastfield):
    SubscriberFactory.create_batch(3, area=eastfield)
    assert subscriber_tasks.area_subscriber_counts_recount() == 0
    AreaSubscriberCount.objects.filter(area_key=eastfield.pk).update(subscribed=40)
    assert dashboard_row(staff, "Eastfield") == (40, 3, 0)
    assert subscriber_tasks.area_subscriber_counts_recount() == 1
    assert dashboard_row(staff, "Eastfield") == (3, 3, 0)


def test_the_recount_runs_every_night(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["newsletters-recount-area-subscribers"]
    assert entry["task"] == "newsletters.area_subscriber_counts_recount"
    assert entry["schedule"] <= 24 * 3600


def grow(areas: int, subscribers: int) -> None:
    """More areas with subscribers confirmed, pending and gone, and a campaign sent to
    them in the dashboard's span with a delivery each: written in bulk, as a large
    register is built up."""
    made = [AreaFactory() for _ in range(areas)]
    now = timezone.now()
    tag = made[0].pk
    states = [
        Subscriber.Status.CONFIRMED,
        Subscriber.Status.PENDING,
        Subscriber.Status.UNSUBSCRIBED,
    ]
    people = Subscriber.objects.bulk_create(
        Subscriber(
            email=f"grown{i}-{tag}@example.org",
            email_hash=f"grown{i}-{tag}",
            area=made[i % areas],
            status=states[i % 3],
            confirmed_at=now if states[i % 3] != Subscriber.Status.PENDING else None,
            unsubscribed_at=now if states[i % 3] == Subscriber.Status.UNSUBSCRIBED else None,
        )
        for i in range(subscribers)
    )
    campaign = CampaignFactory(
        status=Campaign.Status.SENT, send_started_at=now, send_finished_at=now
    )
    Delivery.objects.bulk_create(
        Delivery(
            campaign=campaign, subscriber=s, status=Delivery.Status.DELIVERED, delivered_at=now
        )
        for s in people
    )


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", [HOME, DASHBOARD])
def test_the_pages_run_the_same_queries_with_many_more_subscribers_and_areas(
    client, superuser, url
):
    client.force_login(superuser)
    grow(areas=1, subscribers=3)
    client.get(url)  # warm per-process caches and store the sent campaign's figures
    few = queries_for(client, url)
    grow(areas=12, subscribers=300)
    client.get(url)  # the new campaign's figures are counted once, then stored
    many = queries_for(client, url)
    assert few == many, f"{url}: {few} queries with 3 subscribers, {many} with 303"
