"""QR repeat-scan detection keys on the resident's address as the trusted proxies saw it:
behind the load balancer every phone counts, and a forged X-Forwarded-For changes nothing."""

import pytest

from printing import services
from printing.models import ShortLink

pytestmark = pytest.mark.django_db

LOAD_BALANCER = "10.0.0.5"


@pytest.fixture
def link(operation, area, sign_template, update_page, neighbourhood_officer):
    run = services.print_run_create(
        user=neighbourhood_officer,
        operation=operation,
        area=area,
        template=sign_template,
        format="a4_sign",
        quantity=1,
        qr_target="page",
        target_page=update_page,
    )
    return ShortLink.objects.get(print_run=run, sign__isnull=True)


def scan(client, link, *, forwarded_for: str, remote=LOAD_BALANCER):
    response = client.get(f"/q/{link.code}", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert response.status_code == 302


def scans(link) -> int:
    link.refresh_from_db()
    return link.scan_count


def test_behind_one_load_balancer_each_phone_counts(client, settings, link):
    settings.SIGNPOST_TRUSTED_PROXY_COUNT = 1
    scan(client, link, forwarded_for="203.0.113.1")
    scan(client, link, forwarded_for="203.0.113.2")
    scan(client, link, forwarded_for="203.0.113.3")
    assert scans(link) == 3
    # The same phone again within ten minutes counts once, whatever it writes in front.
    scan(client, link, forwarded_for="198.51.100.99, 203.0.113.3")
    scan(client, link, forwarded_for="spoofed, 203.0.113.3")
    assert scans(link) == 3


def test_with_two_proxies_the_client_is_second_from_the_right(client, settings, link):
    settings.SIGNPOST_TRUSTED_PROXY_COUNT = 2
    scan(client, link, forwarded_for="203.0.113.1, 10.0.0.9")
    scan(client, link, forwarded_for="198.51.100.7, 203.0.113.1, 10.0.0.9")
    scan(client, link, forwarded_for="203.0.113.2, 10.0.0.9")
    assert scans(link) == 2


def test_without_proxies_configured_a_forged_header_changes_nothing(client, settings, link):
    settings.SIGNPOST_TRUSTED_PROXY_COUNT = 0
    for n in range(5):
        scan(client, link, forwarded_for=f"198.51.100.{n}", remote="203.0.113.50")
    assert scans(link) == 1
