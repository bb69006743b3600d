"""Large per-household runs: rendered in batches with memory that does not grow with the
run, one PDF at the end, and nothing half-written left behind when rendering fails."""

import gc
import io
import tempfile
import tracemalloc

import pytest
from django.urls import reverse
from pypdf import PdfReader

from printing import rendering
from printing.models import FORMATS, PrintFormat, PrintRun, ShortLink
from surveys.models import ResponseCode
from tests.factories import AreaFactory, OperationFactory
from tests.surveys.factories import SurveyWaveFactory

from .conftest import decode_qr_codes
from .factories import PrintTemplateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave(area, operation):
    return SurveyWaveFactory(area=area, operation=operation, slug="canal-before")


@pytest.fixture
def own_tempdir(tmp_path, monkeypatch):
    """Temporary files go to a folder of the test's own, so leftovers can be counted."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(rendering, "RENDER_BATCH_SIZE", 3)


def household_run(client, captured, *, operation, area, template, wave, quantity, format):
    with captured(execute=True):
        response = client.post(
            reverse("printing_admin:create"),
            {
                "create": "1",
                "operation": operation.pk,
                "area": area.pk,
                "template": template.pk,
                "format": format,
                "quantity": quantity,
                "per_household": "on",
                "qr_target": "survey",
                "survey_wave": wave.pk,
            },
        )
    assert response.status_code == 302
    return PrintRun.objects.get()


def test_a_run_of_several_batches_downloads_as_one_pdf_with_every_household_code(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    wave,
    small_batches,
    own_tempdir,
):
    client.force_login(neighbourhood_officer)
    run = household_run(
        client,
        django_capture_on_commit_callbacks,
        operation=operation,
        area=area,
        template=leaflet_template,
        wave=wave,
        quantity=7,  # batches of 3, 3 and 1
        format="a5_leaflet_2",
    )
    assert run.status == PrintRun.Status.READY
    assert (run.page_count, run.items_rendered) == (14, 7)
    response = client.get(reverse("printing_admin:download", args=[run.pk]))
    pdf = b"".join(response.streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 14
    assert rendering.page_sizes_mm(pdf) == [(148, 210)] * 14
    assert reader.metadata.title.startswith("Police are working in your area")

    link = ShortLink.objects.get(print_run=run)
    codes = ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk")
    expected = [f"http://testserver/q/{link.code}?c={c.code}" for c in codes]
    fronts = decode_qr_codes(pdf, first_page=1, last_page=14)
    assert fronts == expected  # in order, across the batch boundaries, none lost
    assert codes[6].display in reader.pages[12].extract_text()
    assert list(own_tempdir.iterdir()) == []  # batch files cleaned up


def test_progress_is_reported_after_each_batch(initiative, tmp_path):
    spec = FORMATS[PrintFormat.A5_LEAFLET_ONE_SIDED]
    progress = []
    pages = rendering.render_items_to_file(
        spec=spec,
        items=sample_items(5),
        total=5,
        path=str(tmp_path / "run.pdf"),
        on_progress=lambda done, total: progress.append((done, total)),
        batch_size=2,
        **context(initiative),
    )
    assert pages == 5
    assert progress == [(2, 5), (4, 5), (5, 5)]


def test_memory_kept_between_batches_does_not_grow_with_the_run(initiative, tmp_path):
    """Python memory still held after each batch is written: flat, whatever the number of
    batches. Holding each batch's pages until the end (as appending them all to one
    pypdf writer did) kept about 300 kB more for every two-page batch."""
    spec = FORMATS[PrintFormat.A5_LEAFLET_ONE_SIDED]
    held = []

    def after_batch(done, total):
        gc.collect()
        held.append(tracemalloc.get_traced_memory()[0])

    gc.collect()
    tracemalloc.start()
    try:
        rendering.render_items_to_file(
            spec=spec,
            items=sample_items(14),
            total=14,
            path=str(tmp_path / "run.pdf"),
            on_progress=after_batch,
            batch_size=2,
            **context(initiative),
        )
    finally:
        tracemalloc.stop()
    assert len(held) == 7
    # From the second batch on (the first warms caches), memory held per extra batch.
    growth_per_batch = (held[-1] - held[1]) / (len(held) - 2)
    assert growth_per_batch < 50_000, [f"{h / 1e6:.2f} MB" for h in held]
    assert len(PdfReader(tmp_path / "run.pdf").pages) == 14


def test_a_failure_part_way_leaves_no_file_and_the_run_failed(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    wave,
    small_batches,
    own_tempdir,
    monkeypatch,
):
    from printing import services

    laid_out = []
    real_render_html = rendering.render_html

    def render_html_failing_on_the_third_batch(html):
        laid_out.append(html)
        if len(laid_out) == 4:  # the fit check, then three batches
            raise RuntimeError("the third batch could not be laid out")
        return real_render_html(html)

    client.force_login(neighbourhood_officer)
    monkeypatch.setattr(rendering, "render_html", render_html_failing_on_the_third_batch)
    with pytest.raises(RuntimeError):
        household_run(
            client,
            django_capture_on_commit_callbacks,
            operation=operation,
            area=area,
            template=leaflet_template,
            wave=wave,
            quantity=8,
            format="a5_leaflet_1",
        )
    run = PrintRun.objects.get()
    assert run.status == PrintRun.Status.FAILED
    assert "third batch" in run.error
    assert not run.pdf
    assert run.items_rendered == 6  # the progress bar stopped where it failed
    assert list(own_tempdir.iterdir()) == []  # no partial PDF, no batch files
    assert client.get(reverse("printing_admin:download", args=[run.pk])).status_code == 404

    # Tried again once the problem is gone, the run completes with the same codes.
    monkeypatch.setattr(rendering, "render_html", real_render_html)
    services.print_run_render(print_run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.page_count) == (PrintRun.Status.READY, 8)
    assert list(own_tempdir.iterdir()) == []


def context(initiative):
    area = AreaFactory(name="Canal Quarter", slug="canal-quarter")
    return {
        "template": PrintTemplateFactory(),
        "operation": OperationFactory(areas=[area]),
        "area": area,
        "initiative": initiative,
        "newsletter": None,
    }


def sample_items(count: int):
    for number in range(1, count + 1):
        code = f"HB{number:06d}"
        yield rendering.PrintItem(
            qr_url=f"http://testserver/q/K7M2QF?c={code}",
            short_address="testserver/q/K7M2QF",
            number=number,
            household_code=f"{code[:4]}-{code[4:]}",
        )
