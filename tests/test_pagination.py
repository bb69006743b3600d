"""The large listings count at most a bound of rows: "More than 10,000 subscribers", pages
that still turn, and the same queries whatever the size of the table."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from signpost.pagination import BoundedCountPaginator
from wagtail.models import ModelLogEntry

from newsletters.models import Subscriber
from printing.models import PrintRun, QRTarget
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory, OperationFactory
from tests.newsletters.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

SUBSCRIBERS = "/admin/newsletters/subscribers/"
STAKEHOLDERS = "/admin/engagement/stakeholders/"
PRINT_RUNS = "/admin/printing/runs/"
SITE_HISTORY = "/admin/reports/site-history/"


@pytest.fixture
def bound(monkeypatch):
    """A bound of 45 rows: 3 pages of twenty subscribers are known, the rest are not."""
    monkeypatch.setattr(BoundedCountPaginator, "count_bound", 45)
    return 45


def add_subscribers(n: int, **fields) -> None:
    area = AreaFactory()
    SubscriberFactory.create_batch(n, area=area, **fields)


def add_stakeholders(n: int) -> None:
    StakeholderFactory.create_batch(n)


def add_print_runs(n: int) -> None:
    area = AreaFactory()
    operation = OperationFactory(areas=[area])
    PrintRun.objects.bulk_create(
        PrintRun(
            operation=operation,
            area=area,
            format="a5_leaflet_1",
            quantity=100,
            qr_target=QRTarget.SIGNUP,
            status=PrintRun.Status.READY,
        )
        for _ in range(n)
    )


def add_log_entries(n: int) -> None:
    subscriber = SubscriberFactory()
    for _ in range(n):
        ModelLogEntry.objects.log_action(subscriber, "wagtail.edit")


def count_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [query["sql"] for query in captured.captured_queries if "COUNT(" in query["sql"]]


def pages_linked(html: str) -> set[int]:
    return {int(n) for n in re.findall(r"[?&](?:amp;)?p=(\d+)", html)}


def test_the_count_is_over_a_limited_subquery(client, comms_officer, bound):
    add_subscribers(50)
    client.force_login(comms_officer)
    counts = count_queries(client, SUBSCRIBERS)
    assert len(counts) == 1
    assert re.search(r"SELECT COUNT\(\*\).* FROM \(SELECT .* LIMIT 46\) subquery", counts[0])
    assert "ORDER BY" not in counts[0]


def test_over_the_bound_the_listing_says_more_than_and_drops_the_last_page(
    client, comms_officer, bound
):
    add_subscribers(100)  # five pages of twenty; only the first three are known
    client.force_login(comms_officer)
    html = client.get(SUBSCRIBERS).content.decode()
    assert "More than 45 subscribers" in html
    assert "Page 1 of more than 3" in html
    assert pages_linked(html) == {1, 2, 3}  # next is page 2; no link to a last page
    assert "100 subscribers" not in html and "45 subscribers" not in html.replace("than 45", "")

    html = client.get(SUBSCRIBERS, {"p": 2}).content.decode()
    assert "Page 2 of more than 3" in html
    assert re.search(r'class="prev">\s*<a href="[^"]*p=1"', html)
    assert re.search(r'class="next">\s*<a href="[^"]*p=3"', html)

    # Past the pages known: Wagtail's own answer, the last page it knows.
    for past in (3, 5, 99):
        html = client.get(SUBSCRIBERS, {"p": past}).content.decode()
        assert "Page 3 of more than 3" in html, past
        assert re.search(r'class="next">\s*<a>', html)  # nothing known beyond


def test_under_the_bound_the_count_is_exact(client, comms_officer, bound):
    add_subscribers(30)
    client.force_login(comms_officer)
    html = client.get(SUBSCRIBERS).content.decode()
    assert "30 subscribers" in html
    assert "Page 1 of 2" in html
    assert "More than" not in html


def test_filtered_and_ordered_the_count_is_bounded_too(client, comms_officer, bound):
    add_subscribers(60, status=Subscriber.Status.CONFIRMED)
    add_subscribers(10, status=Subscriber.Status.PENDING)
    client.force_login(comms_officer)

    counts = count_queries(client, f"{SUBSCRIBERS}?status=confirmed&ordering=-email")
    assert len(counts) == 1 and "LIMIT 46" in counts[0]
    html = client.get(SUBSCRIBERS, {"status": "confirmed", "ordering": "-email"}).content
    html = html.decode()
    assert "There are more than 45 matches" in html
    assert "More than 45 subscribers" in html
    shown = list(dict.fromkeys(re.findall(r"resident\d+@example\.org", html)))
    confirmed = Subscriber.objects.filter(status=Subscriber.Status.CONFIRMED)
    assert shown == list(confirmed.order_by("-email").values_list("email", flat=True)[:20])

    html = client.get(SUBSCRIBERS, {"status": "pending"}).content.decode()
    assert "There are 10 matches" in html and "10 subscribers" in html


def test_a_page_that_is_not_a_number_is_the_first(client, comms_officer, bound):
    add_subscribers(100)
    client.force_login(comms_officer)
    html = client.get(SUBSCRIBERS, {"p": "last"}).content.decode()
    assert "Page 1 of more than 3" in html


def test_the_stakeholder_register_and_the_site_history_say_more_than(
    client, superuser, monkeypatch
):
    monkeypatch.setattr(BoundedCountPaginator, "count_bound", 60)
    add_stakeholders(70)
    add_log_entries(70)
    client.force_login(superuser)
    assert "More than 60 stakeholders" in client.get(STAKEHOLDERS).content.decode()
    # A search goes through the search backend's results, counted the same way.
    counts = count_queries(client, f"{STAKEHOLDERS}?q=Organisation")
    counts = [sql for sql in counts if "GROUP BY" not in sql]  # the grid's per-cell counts
    assert len(counts) == 1 and "LIMIT 61" in counts[0]
    assert "There are more than 60 matches" in client.get(f"{STAKEHOLDERS}?q=Organisation").text
    html = client.get(SITE_HISTORY).content.decode()
    assert "More than 60 log entries" in html
    counts = count_queries(client, SITE_HISTORY)
    assert len(counts) == 1 and "LIMIT 61" in counts[0] and "UNION ALL" in counts[0]


@pytest.mark.parametrize(
    ("url", "role", "grow"),
    [
        (SUBSCRIBERS, "comms_officer", add_subscribers),
        (f"{SUBSCRIBERS}?status=confirmed&ordering=email", "comms_officer", add_subscribers),
        (STAKEHOLDERS, "superuser", add_stakeholders),
        (PRINT_RUNS, "neighbourhood_officer", add_print_runs),
        (SITE_HISTORY, "superuser", add_log_entries),
    ],
)
def test_listing_runs_the_same_queries_below_and_above_the_bound(
    client, request, monkeypatch, url, role, grow
):
    monkeypatch.setattr(BoundedCountPaginator, "count_bound", 20)
    client.force_login(request.getfixturevalue(role))
    grow(3)
    client.get(url)  # warm per-process caches (site settings, permissions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(40)
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert len(small) == len(large), f"{url}: {len(small)} queries, then {len(large)}"
    assert "More than 20 " in html


@pytest.mark.parametrize("url", [SUBSCRIBERS, STAKEHOLDERS])
def test_the_partner_viewer_is_still_refused(client, partner_viewer, url):
    client.force_login(partner_viewer)
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
