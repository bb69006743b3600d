"""A sign whose QR code leads to the email sign-up: the scan opens the form for the
sign's area, and the resident who signs up there is counted in that area."""

from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.urls import reverse

from newsletters.models import Subscriber
from newsletters.subscribers.consent import CURRENT_WORDING_VERSION
from printing.models import PrintRun, ShortLink

from .conftest import decode_qr_codes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def test_a_sign_up_sign_opens_the_form_with_its_area_chosen(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    sign_template,
):
    client.force_login(neighbourhood_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("printing_admin:create"),
            {
                "create": "1",
                "operation": operation.pk,
                "area": area.pk,
                "template": sign_template.pk,
                "format": "a4_sign",
                "quantity": 1,
                "qr_target": "signup",
            },
        )
    run = PrintRun.objects.get()
    response = client.get(reverse("printing_admin:download", args=[run.pk]))
    pdf = b"".join(response.streaming_content)
    sign_link = ShortLink.objects.get(sign__print_run=run)
    [scanned] = decode_qr_codes(pdf)
    assert scanned == f"http://testserver/q/{sign_link.code}"

    client.logout()
    scan = client.get(urlsplit(scanned).path)
    assert scan.status_code == 302
    assert scan["Location"] == "http://testserver/newsletters/subscribe/?area=canal-quarter"
    target = urlsplit(scan["Location"])
    form_page = client.get(f"{target.path}?{target.query}")
    html = form_page.content.decode()
    assert form_page.status_code == 200
    assert '<input type="hidden" name="area" value="canal-quarter"' in html
    assert "news about <strong>Canal Quarter</strong>" in html

    # The resident's postcode is outside every area; the sign's area counts them.
    with django_capture_on_commit_callbacks(execute=True):
        signed_up = client.post(
            f"{target.path}?{target.query}",
            {
                "email": "resident@example.org",
                "postcode": "ZZ9 9ZZ",
                "area": "canal-quarter",
                "consent": "on",
                "wording_version": CURRENT_WORDING_VERSION,
                "website": "",
            },
        )
    assert signed_up.status_code == 302
    assert Subscriber.objects.get().area == area
    sign_link.refresh_from_db()
    assert sign_link.scan_count == 1
