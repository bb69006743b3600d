"""QR codes, made one way for the whole site: the printed leaflets and signs, their HTML
preview, the survey invitation on a newsletter page and its PNG in the email.

Encoded by zxing-cpp (zint's encoder in C): error correction level M, the smallest
version that fits, and the mask pattern chosen by ISO/IEC 18004's penalty rules. It takes
a twentieth of the time of a pure-Python encoder, and encoding is most of what a stamped
print page costs (BENCHMARKS.md, "Printing: household leaflets as one PDF")."""

import io

import zxingcpp
from django.utils.safestring import SafeString, mark_safe
from PIL import Image

# Modules of light margin around a code, as the standard asks.
QUIET_ZONE = 4


def qr_matrix(text: str, *, border: int = QUIET_ZONE) -> list[list[bool]]:
    """The code's modules, dark as ``True``, with ``border`` light modules around them."""
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = memoryview(symbol.to_image(scale=1, add_quiet_zones=False))
    height, width = image.shape[0], image.shape[1]
    pixels = image.tobytes()
    size = width + 2 * border
    matrix = [[False] * size for _ in range(border)]
    for y in range(height):
        row = pixels[y * width : (y + 1) * width]
        matrix.append([False] * border + [value < 128 for value in row] + [False] * border)
    matrix.extend([False] * size for _ in range(border))
    return matrix


def qr_svg(text: str, *, module_mm: float | None = None) -> SafeString:
    """A vector code: one SVG path of the dark modules, each row's runs one rectangle (as
    the print stamps it). Sized by the surrounding CSS box, or ``module_mm`` a module."""
    matrix = qr_matrix(text)
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
    dimensions = ""
    if module_mm:
        side = f"{round(size * module_mm, 2):g}mm"
        dimensions = f'width="{side}" height="{side}" '
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" {dimensions}viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="QR code" shape-rendering="crispEdges">'
        f'<path fill="#000" d="{"".join(segments)}"/></svg>'
    )
    return mark_safe(svg)  # noqa: S308 (built here from the QR matrix, no user markup)


def qr_png(text: str, *, module_px: int = 6, border: int = 2) -> bytes:
    """A black-and-white PNG, ``module_px`` pixels a module: for mail programs, which do
    not show inline SVG."""
    matrix = qr_matrix(text, border=border)
    size = len(matrix)
    image = Image.new("1", (size, size), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    image = image.resize((size * module_px, size * module_px), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
