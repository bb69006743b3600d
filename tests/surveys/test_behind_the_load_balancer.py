"""The survey's per-address limit keys on the resident's address behind the load balancer,
not the balancer's own: one busy household is limited, the rest of the town is not."""

import pytest

from surveys.models import PendingResponse

from .test_public_form import GOOD

pytestmark = pytest.mark.django_db

LOAD_BALANCER = "10.0.0.5"


def answer(client, wave, *, forwarded_for: str, remote=LOAD_BALANCER):
    return client.post(
        wave.public_path, GOOD, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for
    ).status_code


def test_residents_behind_the_load_balancer_have_their_own_limits(client, settings, wave):
    settings.SIGNPOST_TRUSTED_PROXY_COUNT = 1
    settings.SURVEYS_SUBMIT_RATE_LIMIT = (2, 3600)
    assert [answer(client, wave, forwarded_for="203.0.113.1") for _ in range(3)] == [302, 302, 429]
    # Forging an address in front of the balancer's entry does not reset the limit.
    assert answer(client, wave, forwarded_for="198.51.100.1, 203.0.113.1") == 429
    # Other residents, through the same balancer, are not affected.
    assert [answer(client, wave, forwarded_for=f"203.0.113.{n}") for n in (2, 3, 4)] == [302] * 3
    assert PendingResponse.objects.count() == 5


def test_without_proxies_configured_a_forged_header_does_not_reset_the_limit(
    client, settings, wave
):
    settings.SIGNPOST_TRUSTED_PROXY_COUNT = 0
    settings.SURVEYS_SUBMIT_RATE_LIMIT = (2, 3600)
    codes = [
        answer(client, wave, forwarded_for=f"198.51.100.{n}", remote="203.0.113.9")
        for n in range(4)
    ]
    assert codes == [302, 302, 429, 429]
