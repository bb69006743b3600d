"""How a print run becomes HTML and PDF: QR codes, the page layout, fitting the text.

The HTML print preview in the admin and the PDF are the same template rendered with the
same context, so what the officer checks is what prints.
"""

import io
import logging
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal

import qrcode
import qrcode.constants
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from pypdf import PdfReader
from signpost.models import InitiativeSettings
from signpost.pdf import PdfPageStream, render_html
from wagtail.models import Site

from .models import FORMATS, FormatSpec, Kind

TEMPLATE = "print/print_run.html"
# Type is shrunk in these steps to fit the text before the run is refused. Signs must
# read at a distance, so they shrink less.
LEAFLET_SCALES = [Decimal("1.00"), Decimal("0.92"), Decimal("0.85"), Decimal("0.78")]
SIGN_SCALES = [Decimal("1.00"), Decimal("0.90"), Decimal("0.82")]
# Items laid out by WeasyPrint at once; each batch is copied onto the end of the output
# file before the next is laid out, so memory stays flat however large the run.
RENDER_BATCH_SIZE = 100

# Type sizes (points) and boxes (mm) per page size at scale 1. Signs read at a distance.
SIZES = {
    (Kind.LEAFLET, "A5"): {
        "body": 10.5,
        "small": 8.5,
        "h1": 21,
        "h2": 12.5,
        "lede": 10.5,
        "address": 10.5,
        "qr_mm": 30,
        "logo_mm": 12,
        "margin_mm": 10,
    },
    (Kind.LEAFLET, "A4"): {
        "body": 13,
        "small": 10,
        "h1": 30,
        "h2": 16,
        "lede": 13,
        "address": 13,
        "qr_mm": 40,
        "logo_mm": 16,
        "margin_mm": 12,
    },
    (Kind.SIGN, "A4"): {
        "body": 18,
        "small": 12,
        "h1": 46,
        "h2": 22,
        "lede": 24,
        "address": 22,
        "qr_mm": 95,
        "logo_mm": 18,
        "margin_mm": 12,
    },
    (Kind.SIGN, "A3"): {
        "body": 26,
        "small": 16,
        "h1": 66,
        "h2": 32,
        "lede": 34,
        "address": 31,
        "qr_mm": 135,
        "logo_mm": 26,
        "margin_mm": 15,
    },
}
SCALED = ("body", "small", "h1", "h2", "lede", "address")


logger = logging.getLogger(__name__)


class PrintLayoutError(ValueError):
    """The words do not fit the chosen format, even with smaller type."""


@dataclass
class PrintItem:
    """One printed leaflet or sign: where its QR code leads and the words under it."""

    qr_url: str
    short_address: str
    number: int = 1
    household_code: str = ""

    @property
    def qr_svg(self) -> str:
        return qr_svg(self.qr_url)


def sample_item(*, per_household: bool) -> PrintItem:
    """A stand-in item as long as a real one (the site's own short address, a household
    code in its printed form), for the preview and for checking the text fits the page
    before anything is recorded: a layout that fits the sample fits every item."""
    from surveys.models import ResponseCode
    from surveys.services import CODE_LENGTH

    from .models import SHORT_CODE_LENGTH, ShortLink

    link = ShortLink(code="X" * SHORT_CODE_LENGTH)
    return PrintItem(
        qr_url=link.full_url(),
        short_address=link.display_address(),
        household_code=ResponseCode(code="X" * CODE_LENGTH).display if per_household else "",
    )


def qr_svg(url: str) -> str:
    """A vector QR code: one SVG path of the dark modules, each row's runs drawn as one
    rectangle (far fewer path segments for WeasyPrint to lay out than one per module),
    with the standard four-module quiet zone. Sized by the surrounding CSS box."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the border
    size = len(matrix)
    segments = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                segments.append(f"M{start} {y}h{x - start}v1H{start}z")
            else:
                x += 1
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="QR code" shape-rendering="crispEdges">'
        f'<path fill="#000" d="{"".join(segments)}"/></svg>'
    )
    return mark_safe(svg)  # noqa: S308 (built here from the QR matrix, no user markup)


def branding(site: Site | None = None) -> InitiativeSettings:
    site = site or Site.objects.get(is_default_site=True)
    return InitiativeSettings.for_site(site)


def logo_url(initiative: InitiativeSettings) -> str:
    """The logo's print rendition, or "" when there is none or its file is missing: the
    leaflet then carries the initiative's name alone rather than a broken image."""
    if not initiative.logo_id:
        return ""
    try:
        return initiative.logo.get_rendition("height-240").url
    except Exception:  # a missing or unreadable source file
        logger.warning("The initiative's logo could not be read; printing without it.")
        return ""


def print_context(
    *,
    spec: FormatSpec,
    template,
    operation,
    area,
    items: list[PrintItem],
    initiative: InitiativeSettings,
    font_scale: Decimal = Decimal("1.00"),
    newsletter=None,
    preview: bool = False,
    survey_length: str = "",
) -> dict:
    base = SIZES[(spec.kind, spec.page_size)]
    sizes = {k: (round(v * float(font_scale), 2) if k in SCALED else v) for k, v in base.items()}
    return {
        "spec": spec,
        "sizes": sizes,
        "logo_url": logo_url(initiative),
        "is_sign": spec.kind == Kind.SIGN,
        "template": template,
        "newsletter": newsletter,
        "operation": operation,
        "area": area,
        "items": items,
        "initiative": initiative,
        "font_scale": font_scale,
        "preview": preview,
        "survey_length": survey_length,
        "passing_on_information": (template.passing_on_information if template else "")
        or initiative.report_information_text,
        "help_with_drugs": (template.help_with_drugs if template else "")
        or initiative.help_with_drugs_text,
    }


def render_print_html(**context_kwargs) -> str:
    return render_to_string(TEMPLATE, print_context(**context_kwargs))


def fit_font_scale(*, spec: FormatSpec, sample: PrintItem, **context_kwargs) -> Decimal:
    """The largest type scale at which one item fills exactly its pages.

    Raises ``PrintLayoutError`` naming the format when even the smallest scale spills
    onto an extra page, so nothing is printed with text cut off or run over.
    """
    scales = SIGN_SCALES if spec.kind == Kind.SIGN else LEAFLET_SCALES
    for scale in scales:
        html = render_print_html(spec=spec, items=[sample], font_scale=scale, **context_kwargs)
        if len(render_html(html).pages) <= spec.sides:
            return scale
    raise PrintLayoutError(
        f"The text is too long for {_article(spec.label)} {spec.label}"
        f"{', two-sided' if spec.sides == 2 else ''}, even in smaller type. "
        "Shorten the template's text, or choose a larger or two-sided format."
    )


def _article(label: str) -> str:
    return "an" if label[:1] in "AEIOU" else "a"


def render_items_to_file(
    *,
    spec: FormatSpec,
    items,
    total: int,
    path: str,
    on_progress=None,
    batch_size: int | None = None,
    **context_kwargs,
) -> int:
    """Render ``items`` (any iterable) to one PDF at ``path`` in batches, and return
    its page count.

    Each batch is laid out by WeasyPrint on its own, written to a temporary file and
    copied onto the end of the output at once (``PdfPageStream``), so neither layout nor
    output holds more than one batch: memory is the same for 100 leaflets or 10,000.
    The output grows beside ``path`` and takes its name only when complete, so a failed
    run leaves no partial file behind.
    """
    batch_size = batch_size or RENDER_BATCH_SIZE
    partial = f"{path}.part"
    done = 0
    batch: list[PrintItem] = []
    try:
        with (
            tempfile.TemporaryDirectory(prefix="signpost-print-") as workdir,
            open(partial, "wb") as handle,
        ):
            output = PdfPageStream(handle)
            batch_path = os.path.join(workdir, "batch.pdf")

            def flush():
                nonlocal done
                html = render_print_html(spec=spec, items=batch, **context_kwargs)
                document = render_html(html)
                expected = spec.sides * len(batch)
                if len(document.pages) != expected:
                    raise PrintLayoutError(
                        f"A batch laid out on {len(document.pages)} pages instead of "
                        f"{expected}: the text no longer fits the format."
                    )
                document.write_pdf(batch_path)
                del document
                output.append(batch_path)
                done += len(batch)
                batch.clear()
                if on_progress:
                    on_progress(done, total)

            for item in items:
                batch.append(item)
                if len(batch) >= batch_size:
                    flush()
            if batch:
                flush()
            output.close()
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return output.page_count


def pdf_bytes(**kwargs) -> bytes:
    """A small run's PDF in memory (previews and tests)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        render_items_to_file(path=handle.name, **kwargs)
        return open(handle.name, "rb").read()  # noqa: SIM115


def page_sizes_mm(data: bytes) -> list[tuple[int, int]]:
    """Each page's size in whole millimetres, for checks and tests."""
    reader = PdfReader(io.BytesIO(data))
    return [
        (round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72))
        for p in reader.pages
    ]


__all__ = ["FORMATS", "PrintItem", "PrintLayoutError", "fit_font_scale", "render_items_to_file"]
