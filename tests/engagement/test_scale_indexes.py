"""The engagement listings' sorts read a page from an index (issue #31).

At test sizes PostgreSQL rightly prefers reading a tiny table whole, so each test turns
sequential scans off for its EXPLAIN: the plan then shows whether an index serves the
page's own query (taken from the page as it ran), which is what a force's register needs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.engagement.test_scale import grow

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SORTS = [
    ("/admin/engagement/stakeholders/", "engagement_stakeholder", "stakeholder_name_idx"),
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
        if f'FROM "{table}"' in q["sql"] and "ORDER BY" in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert pages, f"{url}: no paged query on {table}"
    return pages[0]


def plan_without_full_scans(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            cursor.execute(f"EXPLAIN {sql}")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")


@pytest.mark.parametrize(("url", "table", "index"), SORTS)
def test_sorted_listing_reads_its_page_from_an_index(client, superuser, url, table, index):
    grow(30)
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{table}"')
    client.force_login(superuser)
    plan = plan_without_full_scans(page_query(client, url, table))
    assert index in plan, plan
    assert "Sort" not in plan.split(index)[0], plan
