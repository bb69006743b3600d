"""Bad image uploads get a form error, never a 500, and are judged before decoding:
pixels and bytes are capped from the file's header."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.images import get_image_model

pytestmark = pytest.mark.django_db


def png_header_only(width: int, height: int) -> bytes:
    """A small PNG file claiming to be ``width`` × ``height`` (a decompression bomb's
    shape: a few bytes that would decode to gigabytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\x00" * 64, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def small_png() -> bytes:
    return png_header_only(2, 2)


def upload(client, name: str, content: bytes, content_type: str = "image/png"):
    return client.post(
        reverse("wagtailimages:add"),
        {"title": name, "file": SimpleUploadedFile(name, content, content_type=content_type)},
    )


@pytest.fixture
def officer_client(client, comms_officer):
    client.force_login(comms_officer)
    client.raise_request_exception = False
    return client


def test_an_image_of_too_many_pixels_is_refused_from_its_header(officer_client):
    bomb = png_header_only(11_000, 11_000)
    assert len(bomb) < 1000
    response = officer_client.post(
        reverse("wagtailimages:add"),
        {"title": "bomb", "file": SimpleUploadedFile("bomb.png", bomb, content_type="image/png")},
    )
    assert response.status_code == 200
    assert "pixels" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_an_image_too_large_in_bytes_is_refused(officer_client, settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 1000
    response = upload(officer_client, "big.png", small_png() + b"\x00" * 2000)
    assert response.status_code == 200
    assert not get_image_model().objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("polyglot.gif", b"GIF89a" + b"<html><script>alert(1)</script></html>" * 20),
        ("polyglot.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00/*<script>alert(1)</script>*/"),
        ("truncated.png", small_png()[:30]),
        ("text.jpg", b"just some text, not a picture"),
        ("empty.webp", b""),
    ],
)
def test_a_file_that_is_not_a_whole_image_is_a_form_error(officer_client, name, content):
    response = upload(officer_client, name, content, content_type="image/gif")
    assert response.status_code == 200, response.status_code
    assert not get_image_model().objects.exists()


def test_a_real_small_image_is_accepted(officer_client):
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 30), "navy").save(buffer, "PNG")
    response = upload(officer_client, "ok.png", buffer.getvalue())
    assert response.status_code == 302
    image = get_image_model().objects.get()
    assert (image.width, image.height) == (40, 30)


@pytest.mark.parametrize("value", ["not json", "{", '{"blocks": 5}', "[1, 2]", '"text"'])
def test_rich_text_that_is_not_the_editors_content_is_a_form_error(officer_client, value):
    from printing.models import PrintTemplate

    response = officer_client.post(
        reverse("wagtailsnippets_printing_printtemplate:add"),
        {
            "name": "Leaflet",
            "kind": "leaflet",
            "headline": "Police are working in your area",
            "what_is_happening": value,
            "qr_call_to_action": "Scan",
        },
    )
    assert response.status_code == 200
    assert "could not be read" in response.content.decode()
    assert not PrintTemplate.objects.exists()
