"""The printing figures that progress reports and the dashboard ask the printing app for:
runs, leaflets, signs and QR scans per area for the runs printed in the days asked about,
and the signs that should have come down."""

import datetime

import pytest
from django.utils import timezone

from printing.models import PrintFormat, PrintRun, QRTarget, ShortLink, Sign
from printing.selectors import printing_section
from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return timezone.localdate()


def _run(operation, area, print_format, quantity, *, days_ago=0, scans=0):
    """A run printed ``days_ago``, its QR code scanned ``scans`` times."""
    run = PrintRun.objects.create(
        operation=operation,
        area=area,
        format=print_format,
        quantity=quantity,
        qr_target=QRTarget.SIGNUP,
        created_at=timezone.now() - days_ago * DAY,
    )
    ShortLink.objects.create(code=f"RUN{run.pk}", print_run=run, scan_count=scans)
    return run


@pytest.fixture
def printed(operation, area, today):
    """Canal Quarter: two leaflet runs this month and one long ago. Eastfield: a run of
    three signs, all up, one past its date to come down, each with its own QR code."""
    eastfield = AreaFactory(name="Eastfield", slug="eastfield")
    operation.areas.add(eastfield)
    _run(operation, area, PrintFormat.A5_LEAFLET_ONE_SIDED, 500, days_ago=3, scans=9)
    _run(operation, area, PrintFormat.A5_LEAFLET_ONE_SIDED, 250, days_ago=10, scans=4)
    _run(operation, area, PrintFormat.A5_LEAFLET_ONE_SIDED, 900, days_ago=60, scans=50)
    signs = _run(operation, eastfield, PrintFormat.A4_SIGN, 3, days_ago=1, scans=1)
    for number, due in ((1, today - DAY), (2, today), (3, today + 5 * DAY)):
        sign = Sign.objects.create(
            print_run=signs,
            number=number,
            location="Lamp post",
            put_up_at=timezone.now() - DAY,
            due_down_on=due,
        )
        ShortLink.objects.create(
            code=f"SIGN{signs.pk}N{number}", print_run=signs, sign=sign, scan_count=number
        )
    return eastfield


def test_runs_leaflets_signs_and_scans_are_counted_per_area_for_the_days_asked(
    printed, area, today, django_assert_num_queries
):
    with django_assert_num_queries(3):
        figures = printing_section(start=today - 29 * DAY, end=today, today=today)

    assert figures == {
        "areas": [
            {"area": "Canal Quarter", "runs": 2, "leaflets": 750, "signs": 0, "scans": 13},
            {"area": "Eastfield", "runs": 1, "leaflets": 0, "signs": 3, "scans": 1 + 6},
        ],
        "runs": 3,
        "leaflets": 750,
        "signs": 3,
        "scans": 20,
        "signs_up": 3,
        "signs_overdue": 1,
    }


def test_days_before_any_run_count_no_runs_but_still_the_signs_up_now(printed, today):
    figures = printing_section(
        start=datetime.date(2001, 1, 1), end=datetime.date(2001, 1, 31), today=today
    )
    assert (figures["areas"], figures["runs"], figures["scans"]) == ([], 0, 0)
    assert (figures["signs_up"], figures["signs_overdue"]) == (3, 1)


def test_a_run_printed_on_the_last_day_asked_about_is_counted(operation, area, today):
    _run(operation, area, PrintFormat.A5_LEAFLET_ONE_SIDED, 40, days_ago=0, scans=1)
    assert printing_section(start=today, end=today, today=today)["leaflets"] == 40
    assert printing_section(start=today - 7 * DAY, end=today - DAY, today=today)["runs"] == 0
