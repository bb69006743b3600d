"""The print-run listing in the admin, filtered by operation, area, kind, format,
status and the date printed."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from printing.models import PrintRun, QRTarget
from tests.factories import AreaFactory, OperationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs(neighbourhood_officer):
    canal = AreaFactory(name="Canal Quarter", slug="canal-quarter")
    eastfield = AreaFactory(name="Eastfield", slug="eastfield")
    lantern = OperationFactory(name="Operation Lantern", areas=[canal])
    harbour = OperationFactory(name="Operation Harbour", areas=[eastfield])
    now = timezone.now()

    def run(name, operation, area, format, status, days_ago, per_household=False):
        return name, PrintRun.objects.create(
            operation=operation,
            area=area,
            format=format,
            quantity=100,
            per_household=per_household,
            qr_target=QRTarget.SURVEY if per_household else QRTarget.SIGNUP,
            status=status,
            created_by=neighbourhood_officer,
            created_at=now - datetime.timedelta(days=days_ago),
        )

    return dict(
        [
            run("canal leaflets", lantern, canal, "a5_leaflet_1", PrintRun.Status.READY, 40),
            run(
                "canal households",
                lantern,
                canal,
                "a5_leaflet_2",
                PrintRun.Status.FAILED,
                20,
                per_household=True,
            ),
            run("eastfield A4 signs", harbour, eastfield, "a4_sign", PrintRun.Status.READY, 5),
            run("eastfield A3 signs", harbour, eastfield, "a3_sign", PrintRun.Status.PENDING, 0),
        ]
    )


def listed(client, runs, **filters) -> set[str]:
    response = client.get(reverse("printing_runs:index"), filters)
    assert response.status_code == 200
    shown = {int(pk) for pk in re.findall(r'href="/admin/printing/runs/(\d+)/"', response.text)}
    return {name for name, run in runs.items() if run.pk in shown}


def test_print_runs_are_filtered_by_operation_area_kind_format_status_and_date(
    client, neighbourhood_officer, runs
):
    client.force_login(neighbourhood_officer)
    everything = set(runs)
    assert listed(client, runs) == everything
    canal = runs["canal leaflets"]
    assert listed(client, runs, operation=canal.operation_id) == {
        "canal leaflets",
        "canal households",
    }
    assert listed(client, runs, area=runs["eastfield A4 signs"].area_id) == {
        "eastfield A4 signs",
        "eastfield A3 signs",
    }
    assert listed(client, runs, kind="sign") == {"eastfield A4 signs", "eastfield A3 signs"}
    assert listed(client, runs, kind="household") == {"canal households"}
    assert listed(client, runs, kind="leaflet") == {"canal leaflets"}
    assert listed(client, runs, format="a3_sign") == {"eastfield A3 signs"}
    assert listed(client, runs, status="failed") == {"canal households"}
    today = timezone.localdate()
    assert listed(
        client,
        runs,
        created_at_from=(today - datetime.timedelta(days=30)).isoformat(),
        created_at_to=(today - datetime.timedelta(days=1)).isoformat(),
    ) == {"canal households", "eastfield A4 signs"}
    assert listed(client, runs, created_at_from=today.isoformat()) == {"eastfield A3 signs"}
    # Filters combine; the page says how many matched, or that none did.
    assert listed(client, runs, kind="sign", status="ready") == {"eastfield A4 signs"}
    page = client.get(reverse("printing_runs:index"), {"kind": "sign", "status": "ready"})
    assert "1 print run matches these filters" in page.text
    none = client.get(reverse("printing_runs:index"), {"status": "failed", "kind": "sign"})
    assert "No print runs match these filters" in none.text


def test_the_filters_are_on_the_listing(client, neighbourhood_officer, runs):
    client.force_login(neighbourhood_officer)
    html = client.get(reverse("printing_runs:index")).text
    for name in ("operation", "area", "kind", "format", "status", "created_at_from"):
        assert f'name="{name}"' in html
    assert "Operation Harbour" in html
    assert '<option value="household">Household leaflets</option>' in html
    assert "4 print runs." in html


def test_each_run_says_the_language_it_was_printed_in(client, neighbourhood_officer, runs):
    from printing.models import PrintLanguage

    runs["eastfield A4 signs"].language = PrintLanguage.WELSH_ENGLISH
    runs["eastfield A4 signs"].save(update_fields=["language"])
    runs["canal households"].language = PrintLanguage.URDU
    runs["canal households"].save(update_fields=["language"])
    client.force_login(neighbourhood_officer)
    html = client.get(reverse("printing_runs:index")).text
    assert re.search(r"<th[^>]*>\s*(<a[^>]*>)?\s*Language", html)
    rows = {
        int(pk): row
        for pk, row in re.findall(r'href="/admin/printing/runs/(\d+)/"(.*?)</tr>', html, re.S)
    }
    shown = {name: rows[run.pk] for name, run in runs.items()}
    assert "Welsh and English, bilingual (Cymraeg a Saesneg)" in shown["eastfield A4 signs"]
    assert "Urdu (اردو)" in shown["canal households"]
    assert "English" in shown["canal leaflets"] and "Welsh" not in shown["canal leaflets"]
