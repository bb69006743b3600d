"""How a print run becomes HTML and PDF: the page layout, fitting the text, stamping the
items (QR codes from ``signpost.qr``).

The HTML print preview in the admin and the PDF are the same template rendered with the
same context, so what the officer checks is what prints: the PDF's page is laid out once
from that template with a sample item, and each item's QR code and codes are stamped
where the sample's were (``stamping``).
"""

import contextlib
import io
import itertools
import logging
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal

import pikepdf
from django.conf import settings
from django.template.loader import render_to_string
from signpost.languages import Language, language_for, language_tag
from signpost.models import InitiativeSettings
from signpost.pdf import render_html
from signpost.qr import qr_matrix, qr_svg
from wagtail.models import Site

from surveys.models import CODE_ALPHABET, CODE_LENGTH, ResponseCode

from . import prepress, stamping
from .models import FORMATS, SHORT_CODE_ALPHABET, SHORT_CODE_LENGTH, FormatSpec, Kind, ShortLink

TEMPLATE = "print/print_run.html"
# Type is shrunk in these steps to fit the text before the run is refused. Signs must
# read at a distance, so they shrink less.
LEAFLET_SCALES = [Decimal("1.00"), Decimal("0.92"), Decimal("0.85"), Decimal("0.78")]
SIGN_SCALES = [Decimal("1.00"), Decimal("0.90"), Decimal("0.82")]
# Progress is reported after this many items are stamped (and after every part).
PROGRESS_EVERY = 100
# The anchor of the page after the item's, where WeasyPrint sets every character a code
# can print so that the embedded font subsets hold them.
GLYPHS_ANCHOR = "signpost-glyphs"

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

# The page's colours. For a print shop black and grey are black ink alone (device-cmyk),
# and the page is laid out with its bleed (``prepress``).
OFFICE_INKS = {"black": "#000", "grey": "#333", "paper": "#fff"}
PRINT_SHOP_INKS = {
    "black": "device-cmyk(0 0 0 1)",
    "grey": "device-cmyk(0 0 0 0.8)",
    "paper": "device-cmyk(0 0 0 0)",
}


# Faces the site serves for scripts the print fonts lack (signpost/css/fonts.css does the
# same for pages): WeasyPrint reads them through ``signpost.pdf``'s fetcher, from disk,
# and embeds the subset it uses. The unhashed static path, which the fetcher finds
# whatever the static storage.
FONT_FILES = {
    "Noto Naskh Arabic": [
        ("signpost/fonts/NotoNaskhArabic-Regular.ttf", 400),
        ("signpost/fonts/NotoNaskhArabic-Bold.ttf", 700),
    ]
}

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


@dataclass
class PrintVersion:
    """The run's words in one of its languages: the template's or newsletter's
    translation, the survey's length as its translation states it, and the safety
    wording (the template's own, or the initiative's, which is English only)."""

    language: Language
    template: object = None
    newsletter: object = None
    survey_length: str = ""
    passing_on_information: str = ""
    help_with_drugs: str = ""
    strapline: str = ""

    @property
    def code(self) -> str:
        return self.language.code

    @property
    def tag(self) -> str:
        return language_tag(self.language.code)

    @property
    def direction(self) -> str:
        return self.language.direction

    @property
    def as_list(self) -> list["PrintVersion"]:
        return [self]


def english_version(
    *, template, newsletter, initiative: InitiativeSettings, survey_length: str = ""
) -> PrintVersion:
    """The words as the templates and settings hold them, in the site's default language."""
    return PrintVersion(
        language=language_for(settings.LANGUAGE_CODE),
        template=template,
        newsletter=newsletter,
        survey_length=survey_length,
        passing_on_information=(template.passing_on_information if template else "")
        or initiative.report_information_text,
        help_with_drugs=(template.help_with_drugs if template else "")
        or initiative.help_with_drugs_text,
        strapline=initiative.strapline,
    )


def _font_faces(versions: list[PrintVersion]) -> tuple[list[dict], list[dict]]:
    """The @font-face rules and the ``:lang()`` rules for the languages printed."""
    faces, lang_fonts = [], []
    for version in versions:
        family = version.language.font_family
        if not family or family not in FONT_FILES:
            continue
        lang_fonts.append({"code": version.tag, "family": family})
        if any(face["family"] == family for face in faces):
            continue
        for path, weight in FONT_FILES[family]:
            faces.append({"family": family, "url": settings.STATIC_URL + path, "weight": weight})
    return faces, lang_fonts


def sample_item(*, per_household: bool, sign: bool = False) -> PrintItem:
    """A stand-in item as long as a real one (the site's own short address, a household
    code in its printed form), for the preview and for checking the text fits the page
    before anything is recorded: a layout that fits the sample fits every item."""
    link = ShortLink(code="X" * SHORT_CODE_LENGTH)
    return PrintItem(
        qr_url=link.full_url(),
        short_address=link.display_address(),
        # Signs are numbered up to three digits; 888 is as wide as any of them.
        number=888 if sign else 1,
        household_code=ResponseCode(code="X" * CODE_LENGTH).display if per_household else "",
    )


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
    stamp: bool = False,
    glyphs: dict | None = None,
    survey_length: str = "",
    print_shop: bool = False,
    versions: list[PrintVersion] | None = None,
) -> dict:
    """The print template's context. ``versions`` holds the words in each language
    printed (Welsh then English for a bilingual run); without it the page is in English,
    from ``template`` or ``newsletter`` and the initiative's settings."""
    base = SIZES[(spec.kind, spec.page_size)]
    if not versions:
        versions = [
            english_version(
                template=template,
                newsletter=newsletter,
                initiative=initiative,
                survey_length=survey_length,
            )
        ]
    font_faces, lang_fonts = _font_faces(versions)
    bilingual = len(versions) > 1
    sizes = {k: (round(v * float(font_scale), 2) if k in SCALED else v) for k, v in base.items()}
    return {
        "spec": spec,
        "sizes": sizes,
        "logo_url": logo_url(initiative),
        "is_sign": spec.kind == Kind.SIGN,
        "versions": versions,
        "first": versions[0],
        # Bilingual: side by side on one side; a two-sided leaflet back to back.
        "side_by_side": bilingual and spec.sides == 1,
        "back_to_back": bilingual and spec.sides == 2,
        "font_faces": font_faces,
        "lang_fonts": lang_fonts,
        "partner_names": ", ".join(
            block.value["name"] for block in initiative.partners if block.value.get("name")
        ),
        "operation": operation,
        "area": area,
        "items": items,
        "initiative": initiative,
        "font_scale": font_scale,
        "preview": preview,
        # Laid out for stamping: the QR box is left empty and the sample's texts are set
        # where each item's go; ``glyphs`` adds a page of the characters codes may use.
        "stamp": stamp,
        "glyphs": glyphs,
        "qr_anchor": stamping.QR_ANCHOR,
        "glyphs_anchor": GLYPHS_ANCHOR,
        "print_shop": print_shop,
        # A browser's preview knows no device-cmyk(): it shows the office colours.
        "inks": PRINT_SHOP_INKS if print_shop and not preview else OFFICE_INKS,
        "bleed_mm": prepress.BLEED_MM,
    }


def language_parts_mark(pdf: bytes, tags: list[str]) -> bytes:
    """A tagged PDF of a bilingual page with each language's part marked with its /Lang.

    WeasyPrint gives the document the ``lang`` of ``<html>`` but no structure element its
    own; the print template sets each language's part in an ``<article>`` (a PDF ``Art``
    element, used for nothing else on the page), in the order of ``tags``, so the n-th
    ``Art`` is in ``tags[n % len(tags)]``: a screen reader then reads the English half in
    English."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        parts = []

        def walk(element) -> None:
            if not isinstance(element, pikepdf.Dictionary):
                return
            if element.get("/S") == pikepdf.Name.Art:
                parts.append(element)
            kids = element.get("/K")
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                walk(kid)

        walk(document.Root.StructTreeRoot)
        for number, part in enumerate(parts):
            part.Lang = pikepdf.String(tags[number % len(tags)])
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()


def render_print_html(**context_kwargs) -> str:
    return render_to_string(TEMPLATE, print_context(**context_kwargs))


def fit_font_scale(*, spec: FormatSpec, sample: PrintItem, **context_kwargs) -> Decimal:
    """The largest type scale at which one item fills exactly its pages.

    Decided by the very layout the run's PDF is made from (``laid_out``: the same template,
    context and stamping boxes), so the form, the preview and the print agree. Raises
    ``PrintLayoutError`` naming the format when even the smallest scale spills onto an
    extra page, so nothing is printed with text cut off or run over.
    """
    scales = SIGN_SCALES if spec.kind == Kind.SIGN else LEAFLET_SCALES
    for scale in scales:
        _document, item_pages = laid_out(
            spec=spec, sample=sample, font_scale=scale, **context_kwargs
        )
        if item_pages <= spec.sides:
            return scale
    raise PrintLayoutError(
        f"The text is too long for {_article(spec.label)} {spec.label}"
        f"{', two-sided' if spec.sides == 2 else ''}, even in smaller type. "
        "Shorten the template's text, or choose a larger or two-sided format."
    )


def laid_out(*, spec: FormatSpec, sample: PrintItem, **context_kwargs):
    """The run's page as the PDF lays it out (the sample item in the stamping boxes, the
    glyph page after it) and how many pages the item took."""
    html = render_to_string(
        TEMPLATE,
        print_context(
            spec=spec, items=[sample], stamp=True, glyphs=slot_characters(sample), **context_kwargs
        ),
    )
    document = render_html(html)
    item_pages = next(
        (n for n, page in enumerate(document.pages) if GLYPHS_ANCHOR in page.anchors),
        len(document.pages),
    )
    return document, item_pages


def _article(label: str) -> str:
    return "an" if label[:1] in "AEIOU" else "a"


def slot_samples(sample: PrintItem, spec: FormatSpec) -> dict[str, str]:
    """The texts each item stamps, by slot, as the sample has them."""
    samples = {"address": sample.short_address}
    if sample.household_code:
        samples["code"] = sample.household_code
    if spec.kind == Kind.SIGN:
        samples["number"] = str(sample.number)
    return samples


def slot_characters(sample: PrintItem) -> dict[str, str]:
    """Every character a slot can print, for WeasyPrint to set on the page it lays out
    after the item's: the font subset embedded for each slot then holds them all."""
    return {
        "address": sample.short_address + SHORT_CODE_ALPHABET,
        "code": CODE_ALPHABET + "0123456789-",
        "number": "0123456789",
    }


def layout_static(
    *, spec: FormatSpec, sample: PrintItem, pdf_path: str, **context_kwargs
) -> stamping.StaticLayout:
    """Lay the run's page (and back) out once with WeasyPrint, the sample item in the
    reserved boxes, and read where the boxes are (``stamping``)."""
    document, item_pages = laid_out(spec=spec, sample=sample, **context_kwargs)
    if item_pages != spec.sides:
        raise PrintLayoutError(
            f"The page laid out on {item_pages} pages instead of {spec.sides}: "
            "the text no longer fits the format."
        )
    try:
        return stamping.static_layout_from_document(
            document,
            sides=spec.sides,
            samples=slot_samples(sample, spec),
            pdf_path=pdf_path,
            print_shop=context_kwargs.get("print_shop", False),
        )
    except stamping.StampError as error:
        raise PrintLayoutError(str(error)) from error


def item_stamp(item: PrintItem) -> stamping.Stamp:
    return stamping.Stamp(
        qr_matrix=qr_matrix(item.qr_url),
        texts={
            "address": item.short_address,
            "code": item.household_code,
            "number": str(item.number),
        },
    )


def stamp_items(layout: stamping.StaticLayout, items, path: str, on_progress=None) -> int:
    """Stamp ``items`` onto the run's laid-out page into the part file ``path``; calls
    ``on_progress(n)`` every ``PROGRESS_EVERY`` items and at the end."""
    reported = 0

    def on_item(count: int) -> None:
        nonlocal reported
        if on_progress and count - reported >= PROGRESS_EVERY:
            on_progress(count - reported)
            reported = count

    try:
        count = stamping.stamp_part(layout, map(item_stamp, items), path, on_item=on_item)
    except stamping.StampError as error:
        raise PrintLayoutError(str(error)) from error
    if on_progress and count > reported:
        on_progress(count - reported)
    return count


def default_part_size() -> int:
    return getattr(settings, "SIGNPOST_PRINT_PART_SIZE", 2000)


def render_items_to_file(
    *,
    spec: FormatSpec,
    items,
    total: int,
    path: str,
    on_progress=None,
    part_size: int | None = None,
    sample: PrintItem | None = None,
    work_folder: str | None = None,
    **context_kwargs,
) -> int:
    """Render ``items`` (any iterable) to one PDF at ``path`` in this process, and return
    its page count. The laid-out page and the parts are written in ``work_folder`` (by
    default a temporary folder, removed at the end).

    The page is laid out once; the items are stamped onto it in parts of ``part_size``,
    each written to its own file, and the parts joined at the end, so memory holds one
    part at a time however large the run. The output takes its name only when complete,
    so a failed run leaves no partial file behind.
    """
    size = part_size or default_part_size()
    items = iter(items)
    first = next(items, None)
    if first is None:
        raise PrintLayoutError("Nothing to print.")
    sample = sample or sample_item(
        per_household=bool(first.household_code), sign=spec.kind == Kind.SIGN
    )
    items = itertools.chain([first], items)
    done = 0

    def progressed(count: int) -> None:
        nonlocal done
        done += count
        if on_progress:
            on_progress(done, total)

    with (
        contextlib.nullcontext(work_folder)
        if work_folder
        else tempfile.TemporaryDirectory(prefix="signpost-print-")
    ) as workdir:
        layout = layout_static(
            spec=spec, sample=sample, pdf_path=os.path.join(workdir, "page.pdf"), **context_kwargs
        )
        part_paths = []
        while True:
            chunk = list(itertools.islice(items, size))
            if not chunk:
                break
            part_path = os.path.join(workdir, f"part-{len(part_paths):05d}.pdf")
            stamp_items(layout, chunk, part_path, on_progress=progressed)
            part_paths.append(part_path)
            del chunk
        pages = 0

        def join(partial: str) -> None:
            nonlocal pages
            pages = stamping.join_parts(layout, part_paths, partial)

        stamping.replace_when_complete(join, path)
    return pages


__all__ = ["FORMATS", "PrintItem", "PrintLayoutError", "fit_font_scale", "render_items_to_file"]
