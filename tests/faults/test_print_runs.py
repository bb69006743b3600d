"""A household print run survives its worker being killed (SIGKILL) at each point of
the render: beat's ledger notices the stalled job within seconds here (minutes in
production), a fresh worker resumes it from the parts already on disk, and the run ends
with one PDF holding every household's code once, in order, and nothing left over.
The public site answers throughout."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader
from signpost.models import Job

from printing.models import PrintRun, ShortLink
from surveys.models import ResponseCode
from tests.surveys.factories import SurveyWaveFactory

from .conftest import killed, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres]

LEAFLETS = 500  # five parts of 100


def create_run(client, officer, operation, area, template, wave) -> PrintRun:
    client.force_login(officer)
    response = client.post(
        reverse("printing_admin:create"),
        {
            "create": "1",
            "operation": operation.pk,
            "area": area.pk,
            "template": template.pk,
            "format": "a5_leaflet_1",
            "quantity": LEAFLETS,
            "per_household": "on",
            "qr_target": "survey",
            "survey_wave": wave.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return PrintRun.objects.get()


def public_pages_answer(client, wave, run) -> None:
    """The resident's side while the worker is dead or busy: home, survey, QR code."""
    link = ShortLink.objects.get(print_run=run, sign__isnull=True)
    assert client.get("/").status_code == 200
    assert client.get(f"/survey/{wave.slug}/").status_code == 200
    assert client.get(link.get_absolute_url()).status_code == 302


@pytest.mark.parametrize(
    "fault",
    ["print-after-layout", "print-mid-part", "print-before-delivery", "print-after-delivery"],
)
def test_a_print_run_finishes_once_after_its_worker_is_killed(
    stack, client, neighbourhood_officer, initiative, operation, area, leaflet_template, fault
):
    from django.test import Client

    wave = SurveyWaveFactory(area=area, operation=operation, slug="canal-before")
    stack.beat()
    victim = stack.worker(fault=fault, name="victim")
    run = create_run(client, neighbourhood_officer, operation, area, leaflet_template, wave)
    resident = Client()
    assert killed(victim), stack.logs()

    run.refresh_from_db()
    if fault != "print-after-delivery":
        # Not delivered: none of its codes is accepted, the wave is not yet code-only.
        assert run.status != PrintRun.Status.READY and not run.pdf
        assert not ResponseCode.objects.filter(print_run_id=run.pk, active=True).exists()
        wave.refresh_from_db()
        assert not wave.requires_code
    public_pages_answer(resident, wave, run)

    stack.worker(name="replacement")

    def ready():
        public_pages_answer(resident, wave, run)
        run.refresh_from_db()
        assert run.status != PrintRun.Status.FAILED, run.error
        return (
            run.status == PrintRun.Status.READY
            and not Job.objects.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING]).exists()
        )

    wait_for(ready, timeout=150, every=0.5, message=stack.logs())

    # One PDF, every household's code once, in order; nothing issued twice.
    assert (run.page_count, run.items_rendered) == (LEAFLETS, LEAFLETS)
    codes = list(ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk"))
    assert len(codes) == LEAFLETS and all(code.active for code in codes)
    response = client.get(reverse("printing_admin:download", args=[run.pk]))
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    assert len(reader.pages) == LEAFLETS
    for number in (1, 100, 101, 250, 251, LEAFLETS):
        assert codes[number - 1].display in reader.pages[number - 1].extract_text()
    wave.refresh_from_db()
    assert wave.requires_code
    # Every job of the run finished; the work folder is gone.
    assert set(Job.objects.values_list("state", flat=True)) == {Job.State.DONE}
    assert not list((stack.folder / "work").rglob("*.pdf"))
