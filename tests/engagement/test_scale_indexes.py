"""The engagement listings' sorts read a page from an index (issue #31).

At test sizes PostgreSQL rightly prefers reading a tiny table whole, so each test turns
sequential scans off for its EXPLAIN: the plan then shows whether an index serves the
page's own query (taken from the page as it ran), which is what a force's register needs."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from engagement.models import Engagement, Stakeholder
from tests.engagement.test_scale import grow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SORTS = [
    ("/admin/engagement/stakeholders/", "engagement_stakeholder", "stakeholder_name_idx"),
    (
        "/admin/engagement/stakeholders/?ordering=name",
        "engagement_stakeholder",
        "stakeholder_name_idx",
    ),
    (
        "/admin/engagement/stakeholders/?ordering=organisation",
        "engagement_stakeholder",
        "stakeholder_organisation_idx",
    ),
    (
        "/admin/engagement/stakeholders/?ordering=influence",
        "engagement_stakeholder",
        "stakeholder_influence_idx",
    ),
    (
        "/admin/engagement/stakeholders/?ordering=interest",
        "engagement_stakeholder",
        "stakeholder_cell_idx",
    ),
    (
        "/admin/engagement/stakeholders/?ordering=next_action_due",
        "engagement_stakeholder",
        "engagement_stakeholder_next_action_due",
    ),
    ("/admin/engagement/log/", "engagement_engagement", "engagement_occurred_idx"),
    (
        "/admin/engagement/log/?ordering=occurred_on",
        "engagement_engagement",
        "engagement_occurred_idx",
    ),
    (
        "/admin/engagement/log/?ordering=follow_up_due",
        "engagement_engagement",
        "engagement_follow_up_due_idx",
    ),
    ("/admin/engagement/log/?ordering=title", "engagement_engagement", "engagement_title_idx"),
    (
        "/admin/snippets/engagement/activity/?ordering=planned_on",
        "engagement_activity",
        "activity_planned_idx",
    ),
    (
        "/admin/snippets/engagement/mediaenquiry/?ordering=outlet",
        "engagement_mediaenquiry",
        "mediaenquiry_outlet_idx",
    ),
    (
        "/admin/snippets/engagement/mediaenquiry/",
        "engagement_mediaenquiry",
        "mediaenquiry_received_idx",
    ),
]


def page_query(client, url: str, table: str) -> str:
    """The query that reads the listing's page of rows."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    pages = [
        q["sql"]
        for q in captured.captured_queries
        if f'FROM "{table}"' in q["sql"]
        and "ORDER BY" in q["sql"]
        and "LIMIT" in q["sql"]
        and "UNION" not in q["sql"]  # the register's grid, read a cell at a time
    ]
    assert pages, f"{url}: no paged query on {table}"
    return pages[0]


def plan_without_full_scans(sql: str, *, bitmaps: bool = True) -> str:
    """The query's plan with sequential scans off (and bitmap scans, which read an index
    unordered and sort after, with ``bitmaps=False``)."""
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        # A sort of a few dozen rows costs less than any index walk, and the planner's
        # choice between them wavers with the table's statistics: with sorting priced
        # out, a Sort is left in the plan only where no index can give the order.
        cursor.execute("SET enable_sort = off")
        if not bitmaps:
            cursor.execute("SET enable_bitmapscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
            cursor.execute("RESET enable_bitmapscan")


@pytest.mark.parametrize(("url", "table", "index"), SORTS)
def test_sorted_listing_reads_its_page_from_an_index(client, superuser, url, table, index):
    grow(30)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"')
    client.force_login(superuser)
    plan = plan_without_full_scans(page_query(client, url, table))
    assert index in plan, plan
    assert "Sort" not in plan.split(index)[0], plan


def test_grid_reads_each_cells_first_names_from_the_cell_index(client, superuser):
    """The grid's names come from a bounded read of each score cell's index in name
    order, not from numbering every scored stakeholder (a sort of the whole register)."""
    grow(30)
    with connection.cursor() as cursor:
        cursor.execute('ANALYZE "engagement_stakeholder"')
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/admin/engagement/grid/print/").status_code == 200
    names = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "engagement_stakeholder"' in q["sql"] and '"name"' in q["sql"]
    ]
    assert len(names) == 1, names
    plan = plan_without_full_scans(names[0], bitmaps=False)
    cells = Stakeholder.objects.assessed().values("interest", "influence").distinct().count()
    assert cells > 1
    # One part a cell, each read from an index by its own scores and stopped at the
    # cell's first names (on a force's register, ``stakeholder_cell_idx`` in name order).
    assert plan.count("Limit") == cells, plan
    assert len(re.findall(r"Index Cond: \(\(\w+ = \d\) AND \(\w+ = \d\)\)", plan)) == cells, plan
    assert "WindowAgg" not in plan, plan


def test_edit_page_finds_the_entrys_latest_change_with_one_index_probe(client, superuser):
    """Each edit page asks the model log for the object's latest entry: with a log of many
    objects and models that is one probe of the object's index, newest first."""
    grow(30)
    engagements = list(Engagement.objects.order_by("pk"))
    for engagement in engagements:
        log(engagement, "wagtail.create", user=superuser)
    # As in a force's log, the engagement's id is also another model's, many times over,
    # and the engagement log has many entries: neither column alone finds it quickly.
    chosen = engagements[0]
    now = timezone.now()
    ModelLogEntry.objects.bulk_create(
        ModelLogEntry(
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(chosen.pk if model is Stakeholder else chosen.pk + 1000 + n),
            label="Earlier",
            action="wagtail.edit",
            timestamp=now,
        )
        for model in (Stakeholder, Engagement)
        for n in range(300)
    )
    with connection.cursor() as cursor:
        cursor.execute('ANALYZE "wagtailcore_modellogentry"')
    client.force_login(superuser)
    url = reverse("wagtailsnippets_engagement_engagement:edit", args=[chosen.pk])
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    latest = [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "wagtailcore_modellogentry"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert latest, "the edit page no longer reads the model log"
    for sql in latest:
        plan = plan_without_full_scans(sql, bitmaps=False)
        assert "modellogentry_object_newest_idx" in plan, plan
        assert "Sort" not in plan, plan


@pytest.mark.parametrize("listing", ["/admin/engagement/stakeholders/", "/admin/engagement/log/"])
def test_every_sort_a_growing_listing_offers_has_its_index(client, superuser, listing):
    """Each column a force-sized listing lets an officer sort by is one of the sorts above,
    checked against its index; the area is a filter of the engagement log, not a sort
    (ordering by an area's name sorts every entry through a join)."""
    grow(30)
    client.force_login(superuser)
    html = client.get(listing).content.decode()
    offered = {name.lstrip("-") for name in re.findall(r"[?&]ordering=(-?\w+)", html)}
    checked = {
        url.split("ordering=")[1]
        for url, _table, _index in SORTS
        if url.startswith(listing) and "ordering=" in url
    }
    assert offered, html
    assert offered <= checked, offered - checked
    if listing == "/admin/engagement/log/":
        assert "ordering=area" not in html
        assert 'name="area"' in html  # the filter
        # An old bookmark sorted by area still opens the log, in its own order.
        assert client.get(f"{listing}?ordering=area").status_code == 200
