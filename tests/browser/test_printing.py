"""A neighbourhood officer prints a leaflet in the admin and downloads the PDF."""

import io

import pikepdf
import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from printing.models import PrintRun
from tests.factories import AreaFactory, OperationFactory
from tests.printing.factories import PrintTemplateFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def leaflet_setup(live_site):
    """An operation in one area, a leaflet template and a page for the QR code."""
    from signpost.models import InitiativeSettings
    from wagtail.models import Page, Site

    initiative = InitiativeSettings.for_site(Site.objects.get(is_default_site=True))
    initiative.name = "Safer Harbridge"
    initiative.save()
    area = AreaFactory(name="Canal Quarter", slug="canal-quarter")
    operation = OperationFactory(name="Operation Lantern", slug="operation-lantern", areas=[area])
    return {
        "area": area,
        "operation": operation,
        "template": PrintTemplateFactory(),
        "page": Page.objects.get(depth=2),
    }


def test_neighbourhood_officer_previews_prints_and_downloads_a_leaflet(
    page, admin_login, leaflet_setup, neighbourhood_officer, tmp_path
):
    operation, area = leaflet_setup["operation"], leaflet_setup["area"]
    leaflet_template, update_page = leaflet_setup["template"], leaflet_setup["page"]
    admin_login(page, neighbourhood_officer)
    # Preview and rendering lay out real pages with WeasyPrint; allow for a busy machine.
    page.set_default_timeout(90_000)
    page.goto("/admin/printing/runs/")
    page.get_by_role("link", name="Print leaflets or signs").click()

    page.get_by_label("Operation").select_option(label=operation.name)
    page.get_by_label("Area").select_option(label=area.name)
    page.get_by_label("Template").select_option(label=leaflet_template.name)
    page.get_by_label("Format").select_option(label="A5 leaflet, two-sided")
    page.get_by_label("Quantity").fill("0")
    page.get_by_label("QR code leads to").select_option(value="page")
    page.get_by_label("Target page").select_option(value=str(update_page.pk))
    page.get_by_role("button", name="Create print run").click()
    expect(page.get_by_text("Print at least one.")).to_be_visible(timeout=90_000)

    page.get_by_label("Quantity").fill("300")
    page.get_by_role("button", name="Preview").click()
    preview = page.frame_locator("iframe[title='Print preview']")
    expect(preview.get_by_role("heading", name="Police are working in your area")).to_be_visible(
        timeout=90_000
    )
    assert not PrintRun.objects.exists()

    page.get_by_role("button", name="Create print run").click()
    page.wait_for_url("**/admin/printing/runs/*/")
    download_link = page.get_by_role("link", name="Download PDF")
    download_link.wait_for(state="visible")
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)

    assert path.name.startswith("operation-lantern-canal-quarter-a5_leaflet_2")
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    assert len(reader.pages) == 2
    width_mm = float(reader.pages[0].mediabox.width) * 25.4 / 72
    height_mm = float(reader.pages[0].mediabox.height) * 25.4 / 72
    assert (round(width_mm), round(height_mm)) == (148, 210)
    run = PrintRun.objects.get()
    assert run.created_by == neighbourhood_officer and run.quantity == 300


def test_neighbourhood_officer_prints_a_run_for_a_print_shop_and_downloads_it(
    page, admin_login, leaflet_setup, neighbourhood_officer, tmp_path
):
    """The print shop's PDF: the A5 trim inside 3 mm of bleed, a sheet wide enough for
    the crop marks, and the CMYK condition it was made for."""
    operation, area = leaflet_setup["operation"], leaflet_setup["area"]
    leaflet_template, update_page = leaflet_setup["template"], leaflet_setup["page"]
    admin_login(page, neighbourhood_officer)
    page.set_default_timeout(90_000)
    page.goto("/admin/printing/runs/")
    page.get_by_role("link", name="Print leaflets or signs").click()

    page.get_by_label("Operation").select_option(label=operation.name)
    page.get_by_label("Area").select_option(label=area.name)
    page.get_by_label("Template").select_option(label=leaflet_template.name)
    page.get_by_label("Format").select_option(label="A5 leaflet, one-sided")
    page.get_by_label("Quantity").fill("2000")
    page.get_by_label("A print shop", exact=False).check()
    page.get_by_label("QR code leads to").select_option(value="page")
    page.get_by_label("Target page").select_option(value=str(update_page.pk))
    page.get_by_role("button", name="Create print run").click()
    page.wait_for_url("**/admin/printing/runs/*/")
    expect(page.get_by_text("A print shop: 3 mm bleed")).to_be_visible()
    download_link = page.get_by_role("link", name="Download PDF")
    download_link.wait_for(state="visible")
    with page.expect_download() as info:
        download_link.click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)

    assert "-print-shop-" in path.name
    mm = 72 / 25.4
    with pikepdf.open(path) as document:
        sheet = document.pages[0].obj

        def box(key):
            return [round(float(v) / mm, 1) for v in sheet[key]]

        assert box("/TrimBox") == [0, 0, 148, 210]
        assert box("/BleedBox") == [-3, -3, 151, 213]
        media = box("/MediaBox")
        assert media[0] < -3 and media[2] > 151  # room for the crop marks
        [intent] = document.Root.OutputIntents
        assert intent.S == "/GTS_PDFX" and intent.DestOutputProfile.N == 4
    run = PrintRun.objects.get()
    assert run.for_print_shop and run.created_by == neighbourhood_officer
