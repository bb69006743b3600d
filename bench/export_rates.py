"""How many rows a second each large listing export writes, the figure
``SIGNPOST_EXPORT_INLINE_ROWS`` is chosen from (``signpost.prepared_exports``). These
registers' exports are always prepared by a worker, which writes the file through the same
listing view; here the worker's build runs eagerly as the request commits, and the time is
the request's, the build's and the download's together:

    .venv/bin/python -m pytest bench/export_rates.py -s -p no:cacheprovider

20,000 subscribers and 20,000 stakeholders in the test database; each export warmed once
(an empty search) then timed through Django's test client, the whole file read.
"""

import time

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from engagement.models import Stakeholder
from newsletters.models import Subscriber
from tests.downloads import downloaded
from tests.factories import AreaFactory
from tests.sign_in import password_only_login, second_factor_pass

ROWS = 20_000
EXPORTS = [
    "/admin/newsletters/subscribers/?export=csv",
    "/admin/newsletters/subscribers/?export=xlsx",
    "/admin/engagement/stakeholders/?export=csv",
    "/admin/engagement/stakeholders/?export=xlsx",
]


def timed(client, url) -> float:
    start = time.perf_counter()
    downloaded(client, url)
    return time.perf_counter() - start


@pytest.mark.django_db
def test_export_rates(client):
    area = AreaFactory(slug="east", name="East")
    Subscriber.objects.bulk_create(
        Subscriber(
            email=f"resident{n}@example.org",
            email_hash=f"{n:064d}",
            name=f"Resident {n}",
            postcode="EA1 1AA",
            area=area,
            status=Subscriber.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )
        for n in range(ROWS)
    )
    Stakeholder.objects.bulk_create(
        Stakeholder(
            name=f"Stakeholder {n}",
            organisation="Organisation",
            stakeholder_type=Stakeholder.Type.RESIDENT_GROUP,
            email=f"stakeholder{n}@example.org",
            interest=3,
            influence=4,
        )
        for n in range(ROWS)
    )
    admin = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
    password_only_login(client, admin)
    second_factor_pass(client, admin)
    for url in EXPORTS:
        timed(client, url.replace("?", "?q=nobody&"))
        seconds = timed(client, url)
        print(f"{url}: {ROWS:,} rows in {seconds:.1f} s, {ROWS / seconds:,.0f} rows/s")
