"""One QR code maker for the whole site (signpost.qr): whatever it draws, a phone's reader
(zbar here) reads back the address it was given, as a PNG for email and as the SVG the
newsletter page and the print preview show."""

import io
import shutil
import subprocess

import pytest
from PIL import Image
from signpost.pdf import render_html
from signpost.qr import QUIET_ZONE, qr_matrix, qr_png, qr_svg

from tests.printing.conftest import decode_qr_codes

TARGET = "https://safer-harbridge.example.org/survey/eastfield-after/?code=ABCD2345"


def decode_png(tmp_path, data: bytes) -> list[str]:
    if not shutil.which("zbarimg"):
        pytest.fail("zbarimg (zbar-tools) is required")
    path = tmp_path / "code.png"
    path.write_bytes(data)
    result = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True)
    return result.stdout.splitlines()


def test_the_png_reads_back_with_six_pixels_a_module_and_a_two_module_margin(tmp_path):
    data = qr_png(TARGET)
    assert decode_png(tmp_path, data) == [TARGET]
    modules = len(qr_matrix(TARGET, border=0))
    assert Image.open(io.BytesIO(data)).size == ((modules + 4) * 6,) * 2


def test_the_svg_reads_back_and_takes_its_size_in_millimetres_when_given():
    svg = qr_svg(TARGET, module_mm=0.8)
    side = len(qr_matrix(TARGET))
    assert f'width="{side * 0.8:g}mm"' in svg and f'viewBox="0 0 {side} {side}"' in svg
    assert "width=" not in qr_svg(TARGET)  # otherwise the surrounding box sizes it
    pdf = render_html(f"<html><body>{svg}</body></html>").write_pdf()
    assert decode_qr_codes(pdf) == [TARGET]


def test_the_quiet_zone_is_light_all_round():
    matrix = qr_matrix(TARGET)
    edge = matrix[:QUIET_ZONE] + matrix[-QUIET_ZONE:]
    assert not any(any(row) for row in edge)
    assert not any(any(row[:QUIET_ZONE] + row[-QUIET_ZONE:]) for row in matrix)
