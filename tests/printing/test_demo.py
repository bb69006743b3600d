"""The demo's print runs: a leaflet drop whose QR code opens the open survey wave, and
warrant-day signs with one overdue to come down, made once however often demo data loads."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from printing.models import PrintRun, QRTarget, ShortLink

pytestmark = pytest.mark.django_db


def test_the_demo_prints_a_leaflet_drop_and_signs_once():
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    signs, leaflets = PrintRun.objects.order_by("format")  # a4_sign, a5_leaflet_1
    assert (leaflets.area.slug, leaflets.quantity, leaflets.qr_target) == (
        "eastfield",
        400,
        QRTarget.SURVEY,
    )
    assert leaflets.survey_wave.is_open(timezone.localdate())
    assert leaflets.survey_wave.area == leaflets.area
    assert (signs.area.slug, signs.signs.count()) == ("canal-quarter", 3)
    today = timezone.localdate()
    assert [s.is_overdue(today) for s in signs.signs.order_by("number")] == [False, True, False]
    assert sum(link.scan_count for link in ShortLink.objects.all()) == 37 + 9 + 6 + 2
    assert PrintRun.objects.count() == 2
