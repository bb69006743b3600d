"""Lay a print run out once, then stamp each item's QR code and codes onto it.

Variable-data printing keeps the static page ("the backdrop") once in the file and draws
only what changes on each page. WeasyPrint lays out the run's page (and its back) once,
with a sample item in the reserved boxes; the boxes' places are read back from that
layout: the QR code's box from WeasyPrint's anchors, and each code's text from where
WeasyPrint drew the sample text in the PDF (font, size, baseline), after which the sample
is taken out. Every printed page then draws the laid-out page as one shared Form XObject
and adds its own vector QR code and text in the same embedded font, whose subset holds
every character a code can use because WeasyPrint set them on an extra page of the same
document (dropped from the output).

A run is stamped in parts, each its own PDF, and the parts are joined by copying only
their pages' content streams beside one copy of the shared page, so parts can be stamped
by different workers and the static page is still stored once.
"""

import io
import json
import os
import re
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import pikepdf
from pikepdf import Dictionary, Name

from . import prepress

QR_ANCHOR = "signpost-slot-qr"
PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels: 96 per inch, 72 points per inch.
STATIC_FORM = "/SignpostPage"


class StampError(ValueError):
    """The laid-out page lacks a box the items need, or a code has a character its font
    subset does not hold: printing it would lose or garble part of the code."""


@dataclass
class TextSlot:
    """Where WeasyPrint set one of the item's texts: what the text is for (``address``,
    ``code``, ``number``), the font resource and size, the transformation and text
    matrices in force and the fill colour operator, and each character's glyph."""

    name: str
    font: str
    size: float
    ctm: list[float]
    tm: list[float]
    fill: str
    glyphs: dict[str, str]


@dataclass
class Side:
    """One side of the printed item: its QR box (x, y of the top-left corner and the
    size, in points from the bottom-left of the page), if any, and its text slots."""

    qr: list[float] | None = None
    texts: list[TextSlot] = field(default_factory=list)


OFFICE_BLACK = "0 g"


@dataclass
class StaticLayout:
    """The laid-out page(s) of a run as a PDF of one page per side, and the slots; the
    QR codes are drawn in ``qr_fill`` (black ink alone for a print shop)."""

    pdf_path: str
    sides: list[Side]
    qr_fill: str = OFFICE_BLACK

    def save_slots(self, path: str) -> None:
        with open(path, "w") as handle:
            json.dump(
                {"sides": [asdict(side) for side in self.sides], "qr_fill": self.qr_fill},
                handle,
            )

    @classmethod
    def load(cls, pdf_path: str, slots_path: str) -> "StaticLayout":
        with open(slots_path) as handle:
            saved = json.load(handle)
        if isinstance(saved, list):  # laid out before the QR's colour was kept
            saved = {"sides": saved}
        sides = [
            Side(qr=side["qr"], texts=[TextSlot(**text) for text in side["texts"]])
            for side in saved["sides"]
        ]
        return cls(pdf_path=pdf_path, sides=sides, qr_fill=saved.get("qr_fill", OFFICE_BLACK))


def _multiply(m: list[float], n: list[float]) -> list[float]:
    """``m`` then ``n``, as PDF's ``cm`` concatenates matrices."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return [
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    ]


_BFCHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>")


def _font_glyphs(font) -> dict[str, str]:
    """Character -> glyph (four hex digits) of a WeasyPrint font, from its ToUnicode map
    (WeasyPrint keeps glyph ids and writes one ``bfchar`` line per glyph used)."""
    glyphs: dict[str, str] = {}
    if "/ToUnicode" not in font:
        return glyphs
    for gid, text in _BFCHAR.findall(font.ToUnicode.read_bytes()):
        char = bytes.fromhex(text.decode()).decode("utf-16-be")
        if len(char) == 1:
            glyphs.setdefault(char, gid.decode().lower())
    return glyphs


def _shown_text(operands, op: str, glyph_to_char: dict[str, str]) -> str:
    strings = []
    if op == "TJ":
        strings = [part for part in operands[0] if isinstance(part, pikepdf.String)]
    elif op in ("Tj", "'", '"'):
        strings = [operands[-1]]
    text = []
    for string in strings:
        raw = bytes(string).hex()
        text.extend(glyph_to_char.get(raw[i : i + 4], "\ufffd") for i in range(0, len(raw), 4))
    return "".join(text)


def _take_sample_texts(page: pikepdf.Page, samples: dict[str, str]):
    """Find each sample text where WeasyPrint drew it, note how, and remove it from the
    page. Returns the slots found and the page's remaining content."""
    fonts = page.Resources.get("/Font", Dictionary())
    glyph_maps = {name: _font_glyphs(fonts[name]) for name in fonts}
    reverse_maps = {name: {g: c for c, g in m.items()} for name, m in glyph_maps.items()}
    wanted = {text: name for name, text in samples.items()}
    found: dict[str, TextSlot] = {}
    kept = []
    ctm, stack, fill = [1.0, 0, 0, 1.0, 0, 0], [], b""
    font, size = None, 0.0
    instructions = list(pikepdf.parse_content_stream(page))
    i = 0
    while i < len(instructions):
        operands, operator = instructions[i]
        op = str(operator)
        if op == "q":
            stack.append(ctm)
        elif op == "Q":
            ctm = stack.pop()
        elif op == "cm":
            ctm = _multiply([float(x) for x in operands], ctm)
        elif op in ("rg", "g", "k", "sc", "scn"):
            fill = pikepdf.unparse_content_stream([(operands, operator)])
        elif op == "BT":
            # WeasyPrint sets many lines in one text object, each from its own ``Tm``.
            end = next(j for j in range(i, len(instructions)) if str(instructions[j][1]) == "ET")
            segments = [[]]
            for instruction in instructions[i : end + 1]:
                if str(instruction[1]) in ("Tm", "ET"):
                    segments.append([])
                segments[-1].append(instruction)
            for segment in segments:
                tm, text = None, ""
                for seg_operands, seg_operator in segment:
                    seg_op = str(seg_operator)
                    if seg_op == "Tf":
                        font, size = str(seg_operands[0]), float(seg_operands[1])
                    elif seg_op == "Tm":
                        tm = [float(x) for x in seg_operands]
                    elif seg_op in ("rg", "g", "k", "sc", "scn"):
                        fill = pikepdf.unparse_content_stream([(seg_operands, seg_operator)])
                    elif seg_op in ("TJ", "Tj", "'", '"') and font:
                        text += _shown_text(seg_operands, seg_op, reverse_maps.get(font, {}))
                slot_name = wanted.get(text)
                if slot_name and slot_name not in found and font and tm:
                    found[slot_name] = TextSlot(
                        name=slot_name,
                        font=font,
                        size=size,
                        ctm=ctm,
                        tm=tm,
                        fill=fill.decode("latin-1"),
                        glyphs=glyph_maps[font],
                    )
                    # The sample's text goes; the font and colour it set stay in force
                    # for the lines after it.
                    kept.extend(
                        instruction
                        for instruction in segment
                        if str(instruction[1]) in ("Tf", "rg", "g", "k", "sc", "scn", "cs")
                    )
                else:
                    kept.extend(segment)
            i = end + 1
            continue
        kept.append(instructions[i])
        i += 1
    return found, pikepdf.unparse_content_stream(kept)


def static_layout_from_document(
    document, *, sides: int, samples: dict[str, str], pdf_path: str, print_shop: bool = False
) -> StaticLayout:
    """Turn a WeasyPrint document laid out with a sample item (its first ``sides`` pages
    the item, the pages after them the characters codes may use) into the run's static
    layout: a PDF at ``pdf_path`` of the item's pages without the sample texts, and where
    each slot is. For a print shop (``prepress``) black is set as black ink before the
    slots are read, so each item's texts print in it too, and the pages get their bleed,
    boxes, crop marks and output intent."""
    qr_boxes = []
    for page in document.pages[:sides]:
        box = page.anchors.get(QR_ANCHOR)
        if box is None:
            qr_boxes.append(None)
            continue
        x1, y1, x2, y2 = box
        height_pt = page.height * PX_TO_PT
        qr_boxes.append([x1 * PX_TO_PT, height_pt - y1 * PX_TO_PT, (x2 - x1) * PX_TO_PT])
    pdf = pikepdf.open(io.BytesIO(document.write_pdf()))
    layout_sides = []
    with pdf:
        while len(pdf.pages) > sides:
            del pdf.pages[-1]
        remaining = dict(samples)
        for page, qr in zip(pdf.pages, qr_boxes, strict=True):
            if print_shop:
                prepress.page_black_as_black_ink(pdf, page)
            # Each side may carry each text (a bilingual leaflet printed back to back
            # has the address and household code on both).
            texts, content = _take_sample_texts(page, samples)
            for name in texts:
                remaining.pop(name, None)
            page.Contents = pdf.make_stream(content)
            if "/Annots" in page:
                del page.Annots
            layout_sides.append(Side(qr=qr, texts=list(texts.values())))
        if qr_boxes and all(q is None for q in qr_boxes):
            raise StampError("The page has no box for the QR code.")
        if remaining:
            raise StampError(f"The page has no room set for the {', '.join(remaining)}.")
        if print_shop:
            try:
                for page in pdf.pages:
                    prepress.page_bleed_and_marks(pdf, page)
                prepress.output_intent_add(pdf)
            except prepress.PrepressError as error:
                raise StampError(str(error)) from error
        pdf.save(pdf_path, compress_streams=True)
    return StaticLayout(
        pdf_path=pdf_path,
        sides=layout_sides,
        qr_fill=prepress.BLACK_INK if print_shop else OFFICE_BLACK,
    )


def _number(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def qr_content(matrix: list[list[bool]], box: list[float], fill: str = OFFICE_BLACK) -> bytes:
    """The QR code (its matrix includes the quiet zone) filling ``box``, each row's runs
    of dark modules drawn as one rectangle, in module units, in the colour ``fill``."""
    x, top, size = box
    module = size / len(matrix)
    parts = [f"q {fill} {_number(module)} 0 0 {_number(-module)} {_number(x)} {_number(top)} cm"]
    for y, row in enumerate(matrix):
        start = None
        for column, dark in enumerate([*row, False]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                parts.append(f"{start} {y} {column - start} 1 re")
                start = None
    parts.append("f Q")
    return "\n".join(parts).encode()


def text_content(slot: TextSlot, text: str) -> bytes:
    try:
        hex_glyphs = "".join(slot.glyphs[char] for char in text)
    except KeyError as error:
        raise StampError(
            f"The character {error.args[0]!r} is not in the font set for the {slot.name}."
        ) from error
    ctm = " ".join(_number(v) for v in slot.ctm)
    tm = " ".join(_number(v) for v in slot.tm)
    return (
        f"q {ctm} cm {slot.fill.strip()} BT {tm} Tm {slot.font} {_number(slot.size)} Tf "
        f"<{hex_glyphs}> Tj ET Q"
    ).encode()


@dataclass
class Stamp:
    """What one item adds to each side: its QR matrix and its texts by slot name."""

    qr_matrix: list[list[bool]]
    texts: dict[str, str]


class _Output:
    """A PDF holding the static pages once, to which stamped pages are added."""

    def __init__(self, layout: StaticLayout):
        self.layout = layout
        self.static = pikepdf.open(layout.pdf_path)
        self.pdf = pikepdf.Pdf.new()
        self.resources = []
        self.boxes = []
        for page, side in zip(self.static.pages, layout.sides, strict=True):
            form = self.pdf.copy_foreign(page.as_form_xobject())
            # qpdf bounds the form by the trim; a print shop's page draws beyond it (the
            # bleed and the crop marks).
            form.BBox = pikepdf.Array([float(v) for v in page.MediaBox])
            fonts = Dictionary()
            page_fonts = form.Resources.get("/Font", Dictionary())
            for slot in side.texts:
                fonts[slot.font] = page_fonts[slot.font]
            self.resources.append(
                self.pdf.make_indirect(
                    Dictionary(XObject=Dictionary({STATIC_FORM: form}), Font=fonts)
                )
            )
            # One indirect MediaBox, TrimBox and BleedBox per side,
            # shared by its pages: qpdf holds every page until the file is written, and a
            # copy per page would cost a kilobyte each.
            self.boxes.append(
                {
                    key: self.pdf.make_indirect(pikepdf.Array([float(v) for v in page[key]]))
                    for key in ("/MediaBox", "/TrimBox", "/BleedBox")
                    if key in page
                }
            )
        info = self.static.docinfo
        if "/Title" in info:
            self.pdf.docinfo["/Title"] = info["/Title"]
        self.pdf.docinfo["/Producer"] = "Signpost"
        if "/Lang" in self.static.Root:
            self.pdf.Root.Lang = self.static.Root.Lang
        if "/OutputIntents" in self.static.Root:
            self.pdf.Root.OutputIntents = pikepdf.Array(
                [self.pdf.copy_foreign(intent) for intent in self.static.Root.OutputIntents]
            )
            self.pdf.docinfo["/Trapped"] = info.get("/Trapped", Name("/False"))

    def add_page(self, side: int, content) -> None:
        page = Dictionary(
            Type=Name.Page,
            Resources=self.resources[side],
            Contents=content,
            **{key[1:]: box for key, box in self.boxes[side].items()},
        )
        self.pdf.pages.append(pikepdf.Page(self.pdf.make_indirect(page)))

    def compressed(self, data: bytes):
        return pikepdf.Stream(self.pdf, zlib.compress(data, 6), Filter=Name.FlateDecode)

    def save(self, path: str) -> None:
        self.pdf.save(
            path, compress_streams=True, object_stream_mode=pikepdf.ObjectStreamMode.generate
        )

    def close(self) -> None:
        self.pdf.close()
        self.static.close()


def stamp_part(layout: StaticLayout, stamps: Iterable[Stamp], path: str, on_item=None) -> int:
    """Write ``path``: one page per side for each stamp, drawing the shared static page
    and the item's own QR code and texts. Returns the number of items."""
    output = _Output(layout)
    count = 0
    try:
        for stamp in stamps:
            for side_number, side in enumerate(layout.sides):
                parts = [f"q {STATIC_FORM} Do Q".encode()]
                if side.qr is not None:
                    parts.append(qr_content(stamp.qr_matrix, side.qr, layout.qr_fill))
                for slot in side.texts:
                    parts.append(text_content(slot, stamp.texts[slot.name]))
                output.add_page(side_number, output.compressed(b"\n".join(parts)))
            count += 1
            if on_item:
                on_item(count)
        output.save(path)
    finally:
        output.close()
    return count


def join_parts(layout: StaticLayout, part_paths: list[str], path: str) -> int:
    """One PDF at ``path`` from the stamped parts, in order: each part's page content is
    copied beside a single copy of the static page. Returns the page count."""
    output = _Output(layout)
    parts = []
    try:
        sides = len(layout.sides)
        for part_path in part_paths:
            part = pikepdf.open(part_path)
            parts.append(part)
            for number, page in enumerate(part.pages):
                output.add_page(number % sides, output.pdf.copy_foreign(page.obj.Contents))
        output.save(path)
        return len(output.pdf.pages)
    finally:
        output.close()
        for part in parts:
            part.close()


def replace_when_complete(write, path: str) -> None:
    """Run ``write(partial_path)`` and give the file its name only once it is complete,
    so a failed or killed render never leaves a half-written file at ``path``."""
    partial = f"{path}.part"
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
