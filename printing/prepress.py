"""What a print shop needs beyond an office printer's PDF: bleed, crop marks, the page
boxes, black printed with black ink alone, and the output intent.

An office printer prints the page as it is. A print shop prints on larger sheets and
trims them, so it asks for a margin of background beyond the trim (the bleed: 3 mm, so a
trim a hair off leaves no white edge), crop marks outside it that show where to cut, the
trim and bleed in the PDF's own boxes (``TrimBox``, ``BleedBox``) and the colour
condition the file was made for (an ``OutputIntent`` with its ICC profile). Black text
must be black ink only (K 100): "black" sent as RGB is separated into all four inks, and
small type printed with four plates out of register looks blurred.

WeasyPrint lays the page out with the bleed (``@page { bleed: 3mm }`` paints page
backgrounds into it) and sets the type in ``device-cmyk()`` colours; this module turns
any remaining neutral colour (RGB or grey, such as a rule in a rich-text body) into
black ink, widens the sheet for the marks, draws them and sets the boxes. Nothing here
claims PDF/X conformance: the initiative's logo stays an RGB image.
"""

import os
from decimal import Decimal

import pikepdf
from django.conf import settings
from pikepdf import Dictionary, Name, Operator

MM = 72 / 25.4
BLEED_MM = 3
# Crop marks start beyond the bleed, so no mark is printed on what the bleed keeps, and
# run 5 mm; the sheet (MediaBox) holds them with a millimetre to spare.
MARK_OFFSET_MM = 4
MARK_LENGTH_MM = 5
SLUG_MM = MARK_OFFSET_MM + MARK_LENGTH_MM + 1
MARK_WIDTH_PT = 0.25
DEFAULT_ICC_PROFILE = "/usr/share/color/icc/ghostscript/default_cmyk.icc"
BLACK_INK = "0 0 0 1 k"


class PrepressError(ValueError):
    """The print shop's colour profile is missing or unreadable."""


def icc_profile_path() -> str:
    """The CMYK profile the output intent embeds: Ghostscript's (Debian package
    ``libgs-common``, installed with ``ghostscript``) unless a setting names another,
    e.g. the print shop's own."""
    return getattr(settings, "SIGNPOST_PRINT_SHOP_ICC_PROFILE", "") or DEFAULT_ICC_PROFILE


def icc_profile_problem() -> str:
    """Why a print-shop run cannot be made on this server ("" when it can)."""
    path = icc_profile_path()
    if not os.path.isfile(path):
        return (
            f"The print shop's colour profile ({path}) is not installed on this server: "
            "print for an office printer, or ask the administrator to install it."
        )
    return ""


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def _k_operands(tint: float) -> list:
    return [0, 0, 0, Decimal(_number(tint))]


def _neutral(values) -> float | None:
    """The black tint of an RGB colour with equal components, else None."""
    red, green, blue = (float(v) for v in values)
    if red == green == blue:
        return 1 - red
    return None


def black_as_black_ink(instructions) -> list:
    """The content stream's instructions with every neutral colour (grey or RGB with
    equal components, and DeviceCMYK set through ``cs``/``scn``) set as black ink alone,
    ``k``/``K``. Other colours are left as they are."""
    out = []
    # The fill and stroke colour spaces set by ``cs``/``CS``, saved and restored with q/Q.
    spaces, stack = {"fill": None, "stroke": None}, []
    for operands, operator in instructions:
        op = str(operator)
        if op == "q":
            stack.append(dict(spaces))
        elif op == "Q" and stack:
            spaces = stack.pop()
        if op in ("g", "G"):
            tint = 1 - float(operands[0])
            out.append((_k_operands(tint), Operator("k" if op == "g" else "K")))
            continue
        if op in ("rg", "RG"):
            tint = _neutral(operands)
            if tint is not None:
                out.append((_k_operands(tint), Operator("k" if op == "rg" else "K")))
                continue
        if op in ("cs", "CS"):
            which = "fill" if op == "cs" else "stroke"
            spaces[which] = str(operands[0])
            if spaces[which] == "/DeviceCMYK":
                continue  # the ``k``/``K`` that follows sets the space itself
        if op in ("sc", "scn", "SC", "SCN"):
            which = "fill" if op in ("sc", "scn") else "stroke"
            if spaces[which] == "/DeviceCMYK" and len(operands) == 4:
                out.append((list(operands), Operator("k" if which == "fill" else "K")))
                continue
        out.append((operands, operator))
    return out


def _forms_black_as_black_ink(resources, seen: set) -> None:
    """The same for the form XObjects a page draws (images of SVG, nested forms)."""
    for _name, xobject in resources.get("/XObject", Dictionary()).items():
        if xobject.get("/Subtype") != Name.Form or xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        instructions = black_as_black_ink(pikepdf.parse_content_stream(xobject))
        xobject.write(pikepdf.unparse_content_stream(instructions))
        _forms_black_as_black_ink(xobject.get("/Resources", Dictionary()), seen)


def page_black_as_black_ink(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    content = pikepdf.unparse_content_stream(black_as_black_ink(pikepdf.parse_content_stream(page)))
    page.Contents = pdf.make_stream(content)
    _forms_black_as_black_ink(page.Resources, set())


def crop_marks(trim: list[float]) -> bytes:
    """Eight short lines in black ink, beyond the bleed, in line with the trim edges."""
    left, bottom, right, top = trim
    offset, length = MARK_OFFSET_MM * MM, MARK_LENGTH_MM * MM
    lines = []
    for x in (left, right):
        outward = -1 if x == left else 1
        for y in (bottom, top):
            upward = -1 if y == bottom else 1
            # Horizontal mark along the top or bottom edge, outside the left or right.
            lines.append((x + outward * offset, y, x + outward * (offset + length), y))
            # Vertical mark along the left or right edge, above or below.
            lines.append((x, y + upward * offset, x, y + upward * (offset + length)))
    parts = [f"q {_number(MARK_WIDTH_PT)} w 0 J 0 0 0 1 K"]
    parts += [f"{_number(a)} {_number(b)} m {_number(c)} {_number(d)} l" for a, b, c, d in lines]
    parts.append("S Q")
    return "\n".join(parts).encode()


def page_bleed_and_marks(pdf: pikepdf.Pdf, page: pikepdf.Page) -> None:
    """Set the page's boxes for the print shop and draw its crop marks.

    WeasyPrint laid the page out with a 3 mm bleed: its MediaBox is the bleed and its
    TrimBox the page. The BleedBox is set to exactly 3 mm beyond the trim and the sheet is
    widened to hold the marks; the marks are drawn outside the bleed."""
    trim = [float(v) for v in page.get("/TrimBox", page.MediaBox)]
    left, bottom, right, top = trim
    bleed, slug = BLEED_MM * MM, SLUG_MM * MM

    def box(margin: float) -> pikepdf.Array:
        return pikepdf.Array(
            [
                Decimal(_number(v))
                for v in (left - margin, bottom - margin, right + margin, top + margin)
            ]
        )

    content = b"q\n" + page.Contents.read_bytes() + b"\nQ\n" + crop_marks(trim)
    page.Contents = pdf.make_stream(content)
    page.MediaBox = box(slug)
    page.BleedBox = box(bleed)
    page.TrimBox = box(0)


def _profile_name(path: str) -> str:
    """The profile's own description, which names the printing condition it was made
    for (e.g. "Artifex CMYK SWOP Profile")."""
    try:
        from PIL import ImageCms  # Pillow, installed with WeasyPrint; only used here.

        profile = ImageCms.getOpenProfile(path).profile
        return (profile.profile_description or profile.model or "CMYK").strip()
    except Exception:
        return os.path.basename(path)


def output_intent_add(pdf: pikepdf.Pdf) -> None:
    """Embed the CMYK profile the file was made for as its output intent."""
    problem = icc_profile_problem()
    if problem:
        raise PrepressError(problem)
    path = icc_profile_path()
    with open(path, "rb") as handle:
        profile = pdf.make_stream(handle.read())
    profile.N = 4
    name = _profile_name(path)
    pdf.Root.OutputIntents = pikepdf.Array(
        [
            pdf.make_indirect(
                Dictionary(
                    Type=Name.OutputIntent,
                    S=Name.GTS_PDFX,
                    OutputConditionIdentifier=pikepdf.String(name),
                    Info=pikepdf.String(name),
                    DestOutputProfile=profile,
                )
            )
        ]
    )
    # No trapping was applied: the print shop's workflow may add its own.
    pdf.docinfo["/Trapped"] = Name("/False")


def prepare_for_print_shop(pdf: pikepdf.Pdf) -> None:
    """Every page black-ink only, with its bleed, boxes and crop marks, and the file's
    output intent."""
    for page in pdf.pages:
        page_black_as_black_ink(pdf, page)
        page_bleed_and_marks(pdf, page)
    output_intent_add(pdf)
