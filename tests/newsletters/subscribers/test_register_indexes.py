"""The subscriber register's pages are index lookups, not scans of every subscriber: the
opening page (newest first) and the search (trigram indexes, PostgreSQL only).

At test sizes the planner would rightly scan a table of a few rows, so each test turns
sequential scans off for its own transaction: what is asserted is that an index exists
that answers the listing's own query."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletters.models import Subscriber
from tests.newsletters.factories import SubscriberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def listing_plans(client, path: str) -> list[str]:
    """The plan of each query the page ran against the subscriber table."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in captured.captured_queries:
            sql = query["sql"]
            if 'FROM "newsletters_subscriber"' in sql and sql.startswith("SELECT"):
                cursor.execute("EXPLAIN " + sql)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return plans


def test_the_register_opens_on_the_newest_first_index(client, comms_officer):
    SubscriberFactory.create_batch(5)
    client.force_login(comms_officer)
    plans = listing_plans(client, "/admin/newsletters/subscribers/")
    page = [plan for plan in plans if "Limit" in plan and "Aggregate" not in plan]
    assert page and all("subscriber_newest_first" in plan for plan in page), plans


def test_the_register_search_and_its_count_use_the_trigram_indexes(client, comms_officer):
    SubscriberFactory.create_batch(5)
    SubscriberFactory(name="Harriet Resident")
    client.force_login(comms_officer)
    plans = listing_plans(client, "/admin/newsletters/subscribers/?q=resident")
    # The count, to its bound (the page may as well walk the newest-first index and stop
    # at 20).
    [count] = [plan for plan in plans if "Aggregate" in plan]
    for column in ("email", "name", "postcode"):
        assert f"subscriber_{column}_trgm" in count, count


@pytest.mark.parametrize(
    ("ordering", "index"),
    [("name", "subscriber_name_order"), ("language", "subscriber_language_order")],
)
def test_the_register_sorted_by_a_column_reads_its_page_from_an_index(
    client, comms_officer, ordering, index
):
    SubscriberFactory.create_batch(5)
    client.force_login(comms_officer)
    plans = listing_plans(client, f"/admin/newsletters/subscribers/?ordering={ordering}")
    page = [plan for plan in plans if "Limit" in plan and "Aggregate" not in plan]
    assert page and all(index in plan for plan in page), plans


def test_the_register_is_filtered_by_area_not_sorted_by_it(client, comms_officer):
    """Every sort the register offers has its index; the area is a filter instead."""
    SubscriberFactory.create_batch(3)
    client.force_login(comms_officer)
    html = client.get("/admin/newsletters/subscribers/").content.decode()
    assert "ordering=name" in html and "ordering=area" not in html
    assert client.get("/admin/newsletters/subscribers/?ordering=area").status_code == 200


def test_the_dashboards_joiners_and_leavers_are_read_from_indexes_alone(client, comms_officer):
    """Who joined and who left in the report's span, per area: each a range of an index
    of (time, area), answered from the index without reading the subscribers' rows."""
    # As in a force's register, the span holds a few of the years' subscribers.
    SubscriberFactory.create_batch(200)
    long_ago = timezone.now() - datetime.timedelta(days=800)
    Subscriber.objects.exclude(pk__in=Subscriber.objects.order_by("pk")[:3]).update(
        confirmed_at=long_ago, unsubscribed_at=long_ago
    )
    client.force_login(comms_officer)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/admin/reports/dashboard/").status_code == 200
    [span] = [q["sql"] for q in captured.captured_queries if '"confirmed_at" >=' in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute('ANALYZE "newsletters_subscriber"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + span)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using subscriber_confirmed_area" in plan, plan
    assert "Index Only Scan using subscriber_unsub_area" in plan, plan
