"""Print runs for a print shop: bleed, crop marks, page boxes, black ink alone and an
output intent, beside the office printer's PDF, through the admin's own form."""

import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pikepdf
import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from printing import prepress
from printing.models import PrintOutput, PrintRun, ShortLink
from surveys.models import ResponseCode
from tests.surveys.factories import SurveyWaveFactory

from .conftest import decode_qr_codes

pytestmark = pytest.mark.django_db

MM = 72 / 25.4
A5 = (148 * MM, 210 * MM)


@pytest.fixture
def officer_client(client, neighbourhood_officer):
    client.force_login(neighbourhood_officer)
    return client


def print_run(client, captured, **fields) -> PrintRun:
    with captured(execute=True):
        response = client.post(reverse("printing_admin:create"), {"create": "1", **fields})
    assert response.status_code == 302, response.content.decode()[:3000]
    return PrintRun.objects.latest("created_at")


def download(client, run) -> bytes:
    response = client.get(reverse("printing_admin:download", args=[run.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def boxes(pdf: bytes, page: int = 0) -> dict[str, list[float]]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        found = document.pages[page]
        return {
            key: [round(float(v), 2) for v in found.obj[f"/{key}"]]
            for key in ("MediaBox", "BleedBox", "TrimBox")
            if f"/{key}" in found.obj
        }


def around(width: float, height: float, margin_mm: float) -> list[float]:
    m = margin_mm * MM
    return [round(v, 2) for v in (-m, -m, width + m, height + m)]


def ink_coverage(pdf: bytes) -> list[dict[str, float]]:
    """Ghostscript's ink coverage of each page, as fractions of the page per ink."""
    if not shutil.which("gs"):
        pytest.fail("gs (ghostscript) is required")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        result = subprocess.run(
            ["gs", "-q", "-o", "-", "-sDEVICE=inkcov", handle.name],
            capture_output=True,
            text=True,
            check=True,
        )
    pages = []
    for line in result.stdout.splitlines():
        numbers = re.findall(r"\d+\.\d+", line)
        if len(numbers) == 4:
            pages.append(dict(zip("CMYK", (float(n) for n in numbers), strict=True)))
    return pages


def rendered(pdf: bytes, dpi: int = 72) -> Image.Image:
    """The first page as pdftoppm draws it (the whole sheet, MediaBox), in greyscale."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.pdf"
        path.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-gray",
                "-png",
                "-f",
                "1",
                "-l",
                "1",
                str(path),
                str(Path(tmp) / "page"),
            ],
            check=True,
        )
        [png] = Path(tmp).glob("page*.png")
        return Image.open(png).convert("L")


def leaflet_fields(operation, area, leaflet_template, update_page, **extra):
    return {
        "operation": operation.pk,
        "area": area.pk,
        "template": leaflet_template.pk,
        "format": "a5_leaflet_1",
        "quantity": 300,
        "qr_target": "page",
        "target_page": update_page.pk,
        **extra,
    }


def test_a_print_shop_leaflet_has_bleed_crop_marks_boxes_black_ink_and_an_output_intent(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    update_page,
):
    fields = leaflet_fields(operation, area, leaflet_template, update_page)
    office = print_run(officer_client, django_capture_on_commit_callbacks, **fields)
    shop = print_run(
        officer_client, django_capture_on_commit_callbacks, **fields, output="print_shop"
    )
    assert (office.output, shop.output) == (PrintOutput.OFFICE, PrintOutput.PRINT_SHOP)
    office_pdf, shop_pdf = download(officer_client, office), download(officer_client, shop)
    assert shop.download_filename().endswith(f"-print-shop-{shop.pk}.pdf")

    # The office printer's page is the page; the print shop's is trimmed from a larger
    # sheet: 3 mm of bleed round the A5 trim, crop marks beyond it.
    trim = around(*A5, 0)
    assert boxes(office_pdf) == {"MediaBox": trim, "BleedBox": trim, "TrimBox": trim}
    assert boxes(shop_pdf) == {
        "MediaBox": around(*A5, prepress.SLUG_MM),
        "BleedBox": around(*A5, 3),
        "TrimBox": trim,
    }

    with pikepdf.open(io.BytesIO(shop_pdf)) as document:
        [intent] = document.Root.OutputIntents
        assert intent.S == "/GTS_PDFX"
        assert intent.DestOutputProfile.N == 4  # a CMYK printing condition
        assert len(intent.DestOutputProfile.read_bytes()) > 1000
        assert str(intent.OutputConditionIdentifier)
    with pikepdf.open(io.BytesIO(office_pdf)) as document:
        assert "/OutputIntents" not in document.Root

    # Text, rules and QR code: black ink alone on the print shop's page, where the
    # office's RGB black separates into all four inks.
    [shop_ink] = ink_coverage(shop_pdf)
    [office_ink] = ink_coverage(office_pdf)
    assert shop_ink["K"] > 0.01
    assert shop_ink["C"] == shop_ink["M"] == shop_ink["Y"] == 0
    assert min(office_ink["C"], office_ink["M"], office_ink["Y"]) > 0

    # The QR code and the words still read.
    link = ShortLink.objects.get(print_run=shop)
    assert decode_qr_codes(shop_pdf) == [f"http://testserver/q/{link.code}"]
    text = PdfReader(io.BytesIO(shop_pdf)).pages[0].extract_text()
    assert "Police are working in your area" in text and f"testserver/q/{link.code}" in text

    # On the sheet: crop marks in line with the trim edges, outside the bleed; nothing
    # else outside the trim (the leaflet keeps its margins, so its words stay clear of it).
    image = rendered(shop_pdf, dpi=150)
    px = 150 / 25.4  # pixels per millimetre

    def at(x_mm: float, y_mm: float) -> int:
        """The grey level at a point, in mm from the sheet's top-left corner."""
        return image.getpixel((round(x_mm * px), round(y_mm * px)))

    slug, w, h = prepress.SLUG_MM, 148, 210
    mark_mid = slug - prepress.MARK_OFFSET_MM - prepress.MARK_LENGTH_MM / 2
    for x_edge in (slug, slug + w):
        for y_edge in (slug, slug + h):
            # A vertical mark above or below each corner, on the trim line's x.
            y = mark_mid if y_edge == slug else slug + h + slug - mark_mid
            assert min(at(x_edge + dx, y) for dx in (-0.2, 0, 0.2)) < 160
    band = [  # the bleed and slug, away from the marks' lines
        (x, y)
        for x in range(2, w + 2 * slug - 2, 3)
        for y in (1.5, slug - 1.5, slug + h + 1.5, h + 2 * slug - 1.5)
        if abs(x - slug) > 1 and abs(x - slug - w) > 1
    ]
    assert all(at(x, y) > 250 for x, y in band)


def test_print_shop_household_leaflets_still_carry_codes_that_scan(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
):
    wave = SurveyWaveFactory(area=area, operation=operation, slug="canal-shop")
    run = print_run(
        officer_client,
        django_capture_on_commit_callbacks,
        operation=operation.pk,
        area=area.pk,
        template=leaflet_template.pk,
        format="a5_leaflet_2",
        quantity=2,
        per_household="on",
        qr_target="survey",
        survey_wave=wave.pk,
        output="print_shop",
    )
    pdf = download(officer_client, run)
    link = ShortLink.objects.get(print_run=run)
    codes = list(ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk"))
    scanned = [decode_qr_codes(pdf, first_page=page)[0] for page in (1, 3)]
    assert scanned == [f"http://testserver/q/{link.code}#{c.code}" for c in codes]
    reader = PdfReader(io.BytesIO(pdf))
    assert codes[1].display in reader.pages[2].extract_text()
    # Front and back both trimmed from a larger sheet; both black ink alone.
    assert boxes(pdf, 1)["BleedBox"] == around(*A5, 3)
    for page in ink_coverage(pdf):
        assert page["C"] == page["M"] == page["Y"] == 0 and page["K"] > 0


def test_print_shop_signs_are_black_ink_only_with_their_own_codes(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    sign_template,
    update_page,
):
    run = print_run(
        officer_client,
        django_capture_on_commit_callbacks,
        operation=operation.pk,
        area=area.pk,
        template=sign_template.pk,
        format="a4_sign",
        quantity=2,
        qr_target="page",
        target_page=update_page.pk,
        output="print_shop",
    )
    pdf = download(officer_client, run)
    assert boxes(pdf)["TrimBox"] == around(210 * MM, 297 * MM, 0)
    expected = [f"http://testserver/q/{s.short_link.code}" for s in run.signs.order_by("number")]
    assert decode_qr_codes(pdf, first_page=1, last_page=2) == expected
    for page in ink_coverage(pdf):
        assert page["C"] == page["M"] == page["Y"] == 0 and page["K"] > 0


def test_without_the_colour_profile_the_print_shop_option_is_refused_clearly(
    officer_client,
    django_capture_on_commit_callbacks,
    settings,
    operation,
    area,
    leaflet_template,
    update_page,
):
    settings.SIGNPOST_PRINT_SHOP_ICC_PROFILE = "/nonexistent/printer.icc"
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("printing_admin:create"),
            {
                "create": "1",
                **leaflet_fields(operation, area, leaflet_template, update_page),
                "output": "print_shop",
            },
        )
    assert response.status_code == 200
    assert "colour profile" in response.context["form"].errors["output"][0]
    assert response.context["form"]["output"].value() == "print_shop"  # nothing lost
    assert not PrintRun.objects.exists()


def test_black_as_black_ink_turns_neutral_colours_into_k_and_leaves_colour_alone():
    content = (
        b"0 0 0 rg 0.2 0.2 0.2 RG 0.5 g 1 G 0.1 0.5 0.9 rg "
        b"/DeviceCMYK cs 0 0 0 1 scn q /DeviceRGB CS 0 0 0 SC Q 0.3 0.2 0.1 0.9 k"
    )
    with pikepdf.new() as pdf:
        stream = pdf.make_stream(content)
        out = pikepdf.unparse_content_stream(
            prepress.black_as_black_ink(pikepdf.parse_content_stream(stream))
        ).decode()
    assert out.split("\n") == [
        "0 0 0 1 k",
        "0 0 0 0.8 K",
        "0 0 0 0.5 k",
        "0 0 0 0 K",
        "0.1 0.5 0.9 rg",
        "0 0 0 1 k",
        "q",
        "/DeviceRGB CS",
        "0 0 0 SC",
        "Q",
        "0.3 0.2 0.1 0.9 k",
    ]


def test_the_profile_shipped_by_the_system_package_is_a_cmyk_profile():
    path = prepress.icc_profile_path()
    assert os.path.isfile(path), "install ghostscript (libgs-common) for the CMYK profile"
    with open(path, "rb") as handle:
        header = handle.read(24)
    assert header[16:20] == b"CMYK"
