"""Every page a superuser reaches from the admin's home in two clicks, and every public
page reached from the home page, runs as many queries with several times the data as
with the demo's: the query budget of each page at two data sizes.

The pages are found by the same crawl as ``bench/scale.py`` (one page of each URL
shape), and the data is grown by its builders, set-based in SQL as a force's data
would have been built up; each page is warmed once, then counted.
"""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.scale import STEPS, bench_writes_mark, bench_writes_undo, crawl

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Past one listing page of each register (the demo's 38 subscribers, 35 stakeholders and
# 3 areas included), small enough to build in seconds.
GROWTH = {
    "areas": 8,
    "subscribers": 120,
    "deliveries": 600,
    "responses": 150,
    "stakeholders": 60,
    "assessments": 120,
    "engagements": 60,
    "print_runs": 30,
    "codes": 300,
    "log_entries": 200,
    "jobs": 60,
}


def queries_per_page(
    admin: Client, resident: Client, paths: list[str], *, warm: bool
) -> dict[str, tuple[int, int]]:
    """Each page's status and number of queries."""
    counts = {}
    for path in paths:
        client = admin if path.startswith("/admin/") else resident
        if warm:  # a first view may fill a cache the next ones read
            client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
            if response.streaming:
                for _chunk in response.streaming_content:
                    pass
        counts[path] = (response.status_code, len(captured))
    return counts


def test_no_page_runs_more_queries_with_more_data(settings):
    settings.DEBUG = True
    with open(os.devnull, "w") as quiet:
        call_command("load_demo_data", stdout=quiet)
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    resident = Client()
    written = bench_writes_mark()
    paths = crawl(admin, ["/admin/"], "/admin/", depth=2, limit=400)
    paths += crawl(resident, ["/"], "/", depth=2, limit=120)
    assert len(paths) > 250, "the crawl found too few pages to stand for the site"
    # An export is logged, and listed in the site history and "Your downloads": what the
    # crawl asked for is removed, and the exports come last, as in the bench.
    bench_writes_undo(written)
    paths.sort(key=lambda path: "export=" in path)

    before = queries_per_page(admin, resident, paths, warm=False)  # the crawl warmed them
    bench_writes_undo(written)
    with connection.cursor() as cursor:
        for step in STEPS:
            step(cursor, GROWTH)
    after = queries_per_page(admin, resident, paths, warm=True)

    changed = [
        f"{path}: {before[path][1]} → {after[path][1]} queries"
        f" (status {before[path][0]} → {after[path][0]})"
        for path in paths
        if before[path] != after[path]
    ]
    assert not changed, "\n".join(changed)
