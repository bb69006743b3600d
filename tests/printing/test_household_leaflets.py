"""Per-household leaflets: each carries its own single-use survey code in its QR code."""

import io
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from printing.models import PrintRun, QRTarget, ShortLink
from surveys.models import PendingResponse, ResponseCode
from tests.surveys.factories import SurveyWaveFactory
from tests.surveys.test_public_form import GOOD

from .conftest import decode_qr_codes
from .forms import run_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def wave(area, operation):
    return SurveyWaveFactory(area=area, operation=operation, slug="canal-before")


def test_household_leaflets_each_carry_a_code_the_survey_accepts_once(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    wave,
):
    client.force_login(neighbourhood_officer)
    run_create(
        client,
        django_capture_on_commit_callbacks,
        operation=operation.pk,
        area=area.pk,
        template=leaflet_template.pk,
        format="a5_leaflet_2",
        quantity=4,
        per_household="on",
        qr_target="survey",
        survey_wave=wave.pk,
    )
    run = PrintRun.objects.get()
    assert run.status == PrintRun.Status.READY
    response = client.get(reverse("printing_admin:download", args=[run.pk]))
    pdf = b"".join(response.streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 8  # four two-sided leaflets

    link = ShortLink.objects.get(print_run=run)
    issued = list(ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk"))
    assert len({c.code for c in issued}) == 4
    scanned = [decode_qr_codes(pdf, first_page=p)[0] for p in (1, 3, 5, 7)]
    assert scanned == [f"http://testserver/q/{link.code}#{c.code}" for c in issued]
    # The code is printed for residents who type the address instead.
    assert issued[2].display in reader.pages[4].extract_text()
    # The leaflet states the survey's length as the survey's page does.
    assert wave.survey.length_text in " ".join(reader.pages[0].extract_text().split())
    # Household leaflets point at the wave, so it now requires a code.
    wave.refresh_from_db()
    assert wave.requires_code

    # Scanning leads to the area's survey wave. The code sits after "#", which the phone
    # never sends: the server sees the short address alone and sends it on to the plain
    # survey address, and the phone carries the "#CODE" over to it.
    client.logout()
    assert urlsplit(scanned[0]).query == "" and urlsplit(scanned[0]).fragment == issued[0].code
    target = client.get(urlsplit(scanned[0]).path)
    assert target.status_code == 302 and target["Location"] == wave.get_public_url()
    # A leaflet printed with the code in its query string still works.
    legacy = client.get(f"/q/{link.code}?c={issued[0].code}")
    assert legacy["Location"] == wave.get_public_url(code=issued[0].code)
    # Typing the short address leads to the same survey, which asks for the printed code
    # before any question.
    typed = client.get(f"/q/{link.code}", follow=True).content.decode()
    assert 'name="code"' in typed and "q_safe_after_dark" not in typed

    answered = client.post(
        wave.public_path, dict(GOOD, code=issued[0].code), REMOTE_ADDR="203.0.113.5"
    )
    assert answered.status_code == 302
    again = client.post(
        wave.public_path, dict(GOOD, code=issued[0].code), REMOTE_ADDR="203.0.113.6"
    )
    assert "already been used" in again.content.decode()
    assert PendingResponse.objects.count() == 1
    link.refresh_from_db()
    assert link.scan_count == 1


def test_rendering_again_prints_the_same_codes_and_issues_no_more(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    wave,
):
    from printing.services import print_run_render

    client.force_login(neighbourhood_officer)
    run_create(
        client,
        django_capture_on_commit_callbacks,
        operation=operation.pk,
        area=area.pk,
        template=leaflet_template.pk,
        format="a5_leaflet_1",
        quantity=3,
        per_household="on",
        qr_target="survey",
        survey_wave=wave.pk,
    )
    run = PrintRun.objects.get()
    codes = set(ResponseCode.objects.filter(print_run_id=run.pk).values_list("code", flat=True))
    # As if the worker had died after drawing the codes, and the job were sent again.
    PrintRun.objects.filter(pk=run.pk).update(status=PrintRun.Status.RENDERING)
    print_run_render(print_run_id=run.pk)
    again = set(ResponseCode.objects.filter(print_run_id=run.pk).values_list("code", flat=True))
    assert again == codes and len(codes) == 3
    run.refresh_from_db()
    assert run.page_count == 3 and run.status == PrintRun.Status.READY


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"survey_wave": ""}, "Choose the survey wave the QR code opens."),
        ({"qr_target": "page"}, "Household codes are for the survey"),
        ({"format": "a4_sign"}, "Household codes go on leaflets, not signs."),
    ],
)
def test_household_runs_need_a_survey_wave_for_the_area(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    operation,
    area,
    leaflet_template,
    wave,
    fields,
    message,
):
    client.force_login(neighbourhood_officer)
    data = {
        "operation": operation.pk,
        "area": area.pk,
        "template": leaflet_template.pk,
        "format": "a5_leaflet_1",
        "quantity": 3,
        "per_household": "on",
        "qr_target": "survey",
        "survey_wave": wave.pk,
        **fields,
    }
    response = run_create(client, django_capture_on_commit_callbacks, **data)
    assert message in response.content.decode()
    assert not PrintRun.objects.exists()
    assert not ResponseCode.objects.exists()


def test_a_wave_for_another_area_or_already_closed_is_refused(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    operation,
    area,
    leaflet_template,
):
    import datetime

    client.force_login(neighbourhood_officer)
    elsewhere = SurveyWaveFactory(slug="elsewhere")
    closed = SurveyWaveFactory(
        area=area,
        slug="closed",
        opens_on=datetime.date(2025, 1, 1),
        closes_on=datetime.date(2025, 2, 1),
    )
    common = {
        "operation": operation.pk,
        "area": area.pk,
        "template": leaflet_template.pk,
        "format": "a5_leaflet_1",
        "quantity": 3,
        "qr_target": QRTarget.SURVEY,
    }
    response = run_create(
        client, django_capture_on_commit_callbacks, survey_wave=elsewhere.pk, **common
    )
    assert f"That survey wave is for {elsewhere.area}, not {area}." in response.content.decode()
    response = run_create(
        client, django_capture_on_commit_callbacks, survey_wave=closed.pk, **common
    )
    assert "That survey wave closed on 1 February 2025" in response.content.decode()


def test_retrying_a_failed_run_twice_queues_one_render(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    wave,
    monkeypatch,
):
    from printing import services

    client.force_login(neighbourhood_officer)
    run_create(
        client,
        django_capture_on_commit_callbacks,
        operation=operation.pk,
        area=area.pk,
        template=leaflet_template.pk,
        format="a5_leaflet_1",
        quantity=3,
        per_household="on",
        qr_target="survey",
        survey_wave=wave.pk,
    )
    run = PrintRun.objects.get()
    PrintRun.objects.filter(pk=run.pk).update(status=PrintRun.Status.FAILED)
    queued = []
    monkeypatch.setattr(services, "_queue_render", queued.append)
    retry = reverse("printing_admin:retry", args=[run.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(retry)
        client.post(retry)
    assert queued == [run.pk]
    run.refresh_from_db()
    assert run.status == PrintRun.Status.PENDING
