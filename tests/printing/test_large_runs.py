"""Large per-household runs: laid out once, stamped in parts with memory that does not
grow with the run, one PDF at the end, and nothing half-written left behind when
rendering fails or is killed."""

import gc
import io
import os
import signal
import subprocess
import tempfile
import tracemalloc

import pikepdf
import pytest
from django.urls import reverse
from pypdf import PdfReader

from engagement.models import Activity
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
def small_parts(settings):
    settings.SIGNPOST_PRINT_PART_SIZE = 3


def files_in(folder):
    return [path for path in folder.rglob("*") if path.is_file()]


def page_sizes_mm(data: bytes) -> list[tuple[int, int]]:
    """Each page's size in whole millimetres."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            (
                round(float(p.mediabox[2] - p.mediabox[0]) * 25.4 / 72),
                round(float(p.mediabox[3] - p.mediabox[1]) * 25.4 / 72),
            )
            for p in pdf.pages
        ]


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


def test_a_run_of_several_parts_downloads_as_one_pdf_with_every_household_code(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    wave,
    small_parts,
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
        quantity=7,  # parts of 3, 3 and 1
        format="a5_leaflet_2",
    )
    assert run.status == PrintRun.Status.READY
    assert (run.page_count, run.items_rendered) == (14, 7)
    response = client.get(reverse("printing_admin:download", args=[run.pk]))
    pdf = b"".join(response.streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 14
    assert page_sizes_mm(pdf) == [(148, 210)] * 14
    assert reader.metadata.title.startswith("Police are working in your area")

    link = ShortLink.objects.get(print_run=run)
    codes = ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk")
    expected = [f"http://testserver/q/{link.code}#{c.code}" for c in codes]
    fronts = decode_qr_codes(pdf, first_page=1, last_page=14)
    assert fronts == expected  # in order, across the part boundaries, none lost
    for number, code in enumerate(codes):
        assert code.display in reader.pages[2 * number].extract_text()
    assert files_in(own_tempdir) == []  # the layout and the part files cleaned up


def test_progress_is_reported_after_each_part(initiative, tmp_path):
    spec = FORMATS[PrintFormat.A5_LEAFLET_ONE_SIDED]
    progress = []
    pages = rendering.render_items_to_file(
        spec=spec,
        items=sample_items(5),
        total=5,
        path=str(tmp_path / "run.pdf"),
        on_progress=lambda done, total: progress.append((done, total)),
        part_size=2,
        **context(initiative),
    )
    assert pages == 5
    assert progress == [(2, 5), (4, 5), (5, 5)]


def test_memory_kept_between_parts_does_not_grow_with_the_run(initiative, tmp_path):
    """Python memory still held after each part is written: flat, whatever the number of
    parts. Holding each part's pages until the end (as appending every batch to one
    pypdf writer did) kept about 300 kB more for every two-page batch."""
    spec = FORMATS[PrintFormat.A5_LEAFLET_ONE_SIDED]
    held = []

    def after_part(done, total):
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
            on_progress=after_part,
            part_size=2,
            **context(initiative),
        )
    finally:
        tracemalloc.stop()
    assert len(held) == 7
    # From the second part on (the first warms caches), memory held per extra part.
    growth_per_part = (held[-1] - held[1]) / (len(held) - 2)
    assert growth_per_part < 50_000, [f"{h / 1e6:.2f} MB" for h in held]
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
    small_parts,
    own_tempdir,
    monkeypatch,
):

    stamped = []
    real_item_stamp = rendering.item_stamp

    def item_stamp_failing_in_the_third_part(item):
        stamped.append(item)
        if len(stamped) == 7:  # the first item of the third part
            raise RuntimeError("the third part could not be stamped")
        return real_item_stamp(item)

    client.force_login(neighbourhood_officer)
    monkeypatch.setattr(rendering, "item_stamp", item_stamp_failing_in_the_third_part)
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
    assert "third part" in run.error
    assert not run.pdf
    assert run.items_rendered == 6  # the progress bar stopped where it failed
    assert files_in(own_tempdir) == []  # no partial PDF, no part files
    assert client.get(reverse("printing_admin:download", args=[run.pk])).status_code == 404
    # Nothing of the failed run reaches residents: no codes, and the wave is unchanged.
    assert not ResponseCode.objects.filter(print_run_id=run.pk).exists()
    wave.refresh_from_db()
    assert not wave.requires_code
    assert not Activity.objects.exists()  # nor an entry in the activity calendar

    # Tried again once the problem is gone, the run completes and its codes take effect.
    monkeypatch.setattr(rendering, "item_stamp", real_item_stamp)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("printing_admin:retry", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert (run.status, run.page_count) == (PrintRun.Status.READY, 8)
    assert ResponseCode.objects.filter(print_run_id=run.pk, active=True).count() == 8
    wave.refresh_from_db()
    assert wave.requires_code
    assert files_in(own_tempdir) == []
    delivered = Activity.objects.get()
    assert (delivered.mode, delivered.area, delivered.owner) == (
        Activity.Mode.LEAFLET_DROP,
        area,
        neighbourhood_officer,
    )


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
            qr_url=f"http://testserver/q/K7M2QF#{code}",
            short_address="testserver/q/K7M2QF",
            number=number,
            household_code=f"{code[:4]}-{code[4:]}",
        )


def pdffonts(pdf: bytes, tmp_path) -> list[dict]:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    return [
        {"name": line.split()[0], "emb": line.split()[-5], "sub": line.split()[-4]}
        for line in lines
    ]


def test_the_static_page_is_stored_once_and_every_font_is_embedded(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    wave,
    small_parts,
    tmp_path,
):
    """Twelve two-sided leaflets in four parts: the laid-out front and back are each one
    Form XObject, drawn by every page, and only the QR code and texts vary per page."""
    client.force_login(neighbourhood_officer)
    run = household_run(
        client,
        django_capture_on_commit_callbacks,
        operation=operation,
        area=area,
        template=leaflet_template,
        wave=wave,
        quantity=12,
        format="a5_leaflet_2",
    )
    pdf = b"".join(client.get(reverse("printing_admin:download", args=[run.pk])).streaming_content)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        forms = [
            obj
            for obj in document.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Form"
        ]
        assert len(forms) == 2  # one front, one back, for the whole run
        drawn = [
            [xobject.objgen for xobject in page.Resources.XObject.values()]
            for page in document.pages
        ]
        assert (
            drawn == [[forms[0].objgen], [forms[1].objgen]] * 12
            or drawn
            == [
                [forms[1].objgen],
                [forms[0].objgen],
            ]
            * 12
        )
        backs = {bytes(page.Contents.read_bytes()) for page in document.pages[1::2]}
        assert len(backs) == 1  # the back only draws the shared page
        fronts = {bytes(page.Contents.read_bytes()) for page in document.pages[::2]}
        assert len(fronts) == 12  # each front its own code
    assert len(pdf) < 12 * 2 * 3_000 + 60_000  # a few kB a page beside the shared page

    fonts = pdffonts(pdf, tmp_path)
    assert fonts and all(font["emb"] == "yes" and font["sub"] == "yes" for font in fonts)
    # The stamped codes' font is among them, its subset holding every character they use.
    assert any("Mono" in font["name"] for font in fonts), fonts
    reader = PdfReader(io.BytesIO(pdf))
    codes = ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk")
    for number, code in enumerate(codes):
        assert code.display in reader.pages[2 * number].extract_text()


def test_a_run_split_into_parts_stamped_in_any_order_joins_into_one_pdf(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    wave,
    small_parts,
    own_tempdir,
    monkeypatch,
    settings,
):
    """What several Celery workers do: lay the page out once, stamp the parts (here in
    reverse order, as workers may finish), join them."""
    from printing import services

    client.force_login(neighbourhood_officer)
    monkeypatch.setattr(services, "_queue_render", lambda pk: None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("printing_admin:create"),
            {
                "create": "1",
                "operation": operation.pk,
                "area": area.pk,
                "template": leaflet_template.pk,
                "format": "a5_leaflet_1",
                "quantity": 8,
                "per_household": "on",
                "qr_target": "survey",
                "survey_wave": wave.pk,
            },
        )
    run = PrintRun.objects.get()
    parts = services.print_run_parts(run)
    assert parts == [(0, 3), (3, 6), (6, 8)]
    queued = []
    monkeypatch.setattr(
        services.jobs, "job_queue", lambda task, *args, **kw: queued.append((task.name, args))
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as on a worker: the run goes in parts
    services.print_run_render(print_run_id=run.pk)
    assert queued == [
        ("printing.print_run_render_part", (run.pk, index, start, stop))
        for index, (start, stop) in enumerate(parts)
    ]
    queued.clear()
    for index, (start, stop) in reversed(list(enumerate(parts))):
        services.print_run_render_part(print_run_id=run.pk, index=index, start=start, stop=stop)
    # A part delivered twice (its worker died before acknowledging) stamps nothing again.
    assert services.print_run_render_part(print_run_id=run.pk, index=1, start=3, stop=6) == 0
    run.refresh_from_db()
    assert (run.status, run.items_rendered) == (PrintRun.Status.RENDERING, 8)
    assert ("printing.print_run_render_join", (run.pk, 3)) in queued
    services.print_run_render_join(print_run_id=run.pk, parts=len(parts))
    run.refresh_from_db()
    assert (run.status, run.page_count) == (PrintRun.Status.READY, 8)
    pdf = b"".join(client.get(reverse("printing_admin:download", args=[run.pk])).streaming_content)
    link = ShortLink.objects.get(print_run=run)
    codes = ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk")
    assert decode_qr_codes(pdf, first_page=1, last_page=8) == [
        f"http://testserver/q/{link.code}#{c.code}" for c in codes
    ]
    assert files_in(own_tempdir) == []
    assert ResponseCode.objects.filter(print_run_id=run.pk).count() == 8  # no new codes


def _render_and_get_killed(print_run_id: int) -> None:
    """In a child process: render the run, and be killed (SIGKILL, no clean-up) once the
    joined file has been written but before it takes its name."""
    from django.db import connections

    from printing import services, stamping

    for connection in connections.all():
        if connection.vendor != "sqlite":
            connection.connection = None  # the parent's socket stays the parent's
    real_join = stamping.join_parts

    def join_then_die(*args, **kwargs):
        real_join(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    stamping.join_parts = join_then_die
    services.print_run_render(print_run_id=print_run_id)


@pytest.fixture
def committed_db(transactional_db, django_db_serialized_rollback):
    """Data committed, so a forked render sees it, with what migrations made put back
    (an earlier live-server test may have emptied the database)."""
    from tests.conftest import ensure_migrated_data

    ensure_migrated_data()


def test_a_killed_render_leaves_no_file_and_the_next_attempt_tidies_up(
    committed_db,
    client,
    neighbourhood_officer,
    initiative,
    operation,
    area,
    leaflet_template,
    wave,
    small_parts,
    own_tempdir,
    monkeypatch,
):
    from printing import services

    client.force_login(neighbourhood_officer)
    monkeypatch.setattr(services, "_queue_render", lambda pk: None)
    client.post(
        reverse("printing_admin:create"),
        {
            "create": "1",
            "operation": operation.pk,
            "area": area.pk,
            "template": leaflet_template.pk,
            "format": "a5_leaflet_1",
            "quantity": 7,
            "per_household": "on",
            "qr_target": "survey",
            "survey_wave": wave.pk,
        },
    )
    run = PrintRun.objects.get()
    child = os.fork()
    if child == 0:
        try:
            _render_and_get_killed(run.pk)
        finally:
            os._exit(3)  # only reached if the kill did not happen
    _, status = os.waitpid(child, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

    run.refresh_from_db()
    assert run.status != PrintRun.Status.READY and not run.pdf
    assert client.get(reverse("printing_admin:download", args=[run.pk])).status_code == 404
    left = files_in(own_tempdir)
    assert left, "the killed attempt's work files are where the next attempt finds them"
    assert not [p for p in left if p.name == "run.pdf"]  # nothing under the run's name
    assert [p.name for p in left if p.suffix == ".part"] == ["run.pdf.part"]

    # Until delivered, the run's codes are not accepted and the wave is not code-only.
    assert not ResponseCode.objects.filter(print_run_id=run.pk, active=True).exists()
    wave.refresh_from_db()
    assert not wave.requires_code
    services.print_run_render(print_run_id=run.pk)  # the job, sent again by beat
    run.refresh_from_db()
    assert (run.status, run.page_count) == (PrintRun.Status.READY, 7)
    assert files_in(own_tempdir) == []
    assert ResponseCode.objects.filter(print_run_id=run.pk).count() == 7


@pytest.mark.parametrize(("format", "per_household"), [("a5_leaflet_2", True), ("a4_sign", False)])
def test_a_stamped_page_looks_as_the_preview_laid_out_whole(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    sign_template,
    wave,
    update_page,
    tmp_path,
    format,
    per_household,
):
    """The admin's preview of a run (its first items, as HTML) laid out by WeasyPrint in
    one piece matches the stamped PDF's page pixel for pixel, bar anti-aliasing: the
    stamped QR code and texts sit exactly where the preview puts them."""
    from PIL import Image, ImageChops
    from signpost.pdf import render_html

    client.force_login(neighbourhood_officer)
    fields = {"operation": operation.pk, "area": area.pk, "format": format, "quantity": 2}
    if per_household:
        fields.update(template=leaflet_template.pk, per_household="on", qr_target="survey")
        fields["survey_wave"] = wave.pk
    else:
        fields.update(template=sign_template.pk, qr_target="page", target_page=update_page.pk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("printing_admin:create"), {"create": "1", **fields})
    run = PrintRun.objects.get()
    stamped = b"".join(
        client.get(reverse("printing_admin:download", args=[run.pk])).streaming_content
    )
    preview = client.get(reverse("printing_admin:preview", args=[run.pk])).content.decode()
    (tmp_path / "stamped.pdf").write_bytes(stamped)
    (tmp_path / "preview.pdf").write_bytes(render_html(preview).write_pdf())
    for name in ("stamped", "preview"):
        subprocess.run(
            ["pdftoppm", "-r", "100", "-gray", "-png", "-f", "1", "-l", "1"]
            + [str(tmp_path / f"{name}.pdf"), str(tmp_path / name)],
            check=True,
        )
    images = [
        Image.open(next(tmp_path.glob(f"{name}-*.png"))).convert("L")
        for name in ("stamped", "preview")
    ]
    assert images[0].size == images[1].size
    # Pixels whose grey differs by more than a third: none but a few at glyph edges.
    differing = sum(ImageChops.difference(*images).histogram()[86:])
    assert differing < 0.001 * images[0].width * images[0].height, differing
    assert sum(images[0].histogram()[:128]) > 0.02 * images[0].width * images[0].height
