"""Web hardening that holds on every response: a Content-Security-Policy everywhere, no
uploaded image that is a script in disguise, and an admin that asks nobody outside for
updates."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.images.models import Image

pytestmark = pytest.mark.django_db

HOSTILE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/admin/newsletters/subscribers/?export=csv')</script></svg>"
)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.fixture
def home(db):
    from tests.conftest import ensure_migrated_data

    return ensure_migrated_data()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/newsletters/subscribe/",
        "/survey/no-such-wave/",
        "/q/NOPE",
        "/no-such-page/",
        "/robots.txt",
        "/sitemap.xml",
        "/search/?q=drugs",
    ],
)
def test_every_public_response_carries_a_strict_policy(client, home, path):
    policy = directives(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    assert not any("unsafe" in v or "*" in v or "http" in v for vs in policy.values() for v in vs)


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/admin/pages/"])
def test_the_admin_carries_a_policy_allowing_only_its_own_inline_code(client, superuser, path):
    client.force_login(superuser)
    policy = directives(client.get(path))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["connect-src"] == ["'self'"]


def test_webhook_answers_carry_the_policy_too(client):
    response = client.post("/anymail/mailgun/tracking/", data="{}", content_type="application/json")
    assert response.status_code == 400
    assert directives(response)["default-src"] == ["'self'"]


def test_uploaded_media_is_sandboxed(client):
    policy = directives(client.get("/media/original_images/picture.svg"))
    assert policy == {"default-src": ["'none'"], "sandbox": []}


@pytest.mark.parametrize("name", ["notice.svg", "notice.png"])
def test_an_svg_image_upload_is_refused(client, analyst, name):
    client.force_login(analyst)
    response = client.post(
        "/admin/images/add/",
        {"title": "Notice", "file": SimpleUploadedFile(name, HOSTILE_SVG, "image/svg+xml")},
    )
    assert response.status_code == 200
    assert not Image.objects.exists()
    assert "file" in response.context["form"].errors


def test_ordinary_images_still_upload(client, analyst):
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (8, 8), "navy").save(buffer, format="PNG")
    client.force_login(analyst)
    response = client.post(
        "/admin/images/add/",
        {"title": "Notice", "file": SimpleUploadedFile("n.png", buffer.getvalue(), "image/png")},
    )
    assert response.status_code == 302
    assert Image.objects.get().title == "Notice"


def test_the_admin_asks_nobody_outside_for_updates(client, superuser, settings):
    client.force_login(superuser)
    html = client.get("/admin/").content.decode()
    assert settings.WAGTAIL_ENABLE_UPDATE_CHECK is False
    assert "w-upgrade" not in html
    assert "releases.wagtail.org" not in html
    assert "whats_new_in_wagtail_version" not in html
