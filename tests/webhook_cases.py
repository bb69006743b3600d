"""One security test class for every webhook endpoint, after django-anymail's
``tests/webhook_cases.py``: a request without the shared secret, with a wrong one, or with
a bad signature is refused and changes nothing; a good one is accepted.

Subclass it in a test module and provide:

- ``url``: the endpoint;
- ``signed_request(self)``: keyword arguments for ``client.post`` (``data``,
  ``content_type``) carrying a correctly signed payload;
- ``badly_signed_request(self)``: the same with a wrong signature;
- ``stale_signed_request(self)``: a correct signature made longer ago than
  ``SIGNPOST_WEBHOOK_MAX_AGE_SECONDS``;
- ``assert_nothing_recorded(self)``: that no event reached the application.

The basic-auth secret is set for each test; ``secret_settings`` may add ESP keys.
``test_every_mounted_webhook_is_covered`` (in ``tests/newsletters/test_tracking.py``) fails
when an endpoint is mounted without a subclass here.
"""

import base64

import pytest

WEBHOOK_SECRET = "webhook-user:correct-webhook-password"


def basic_auth(credentials: str) -> str:
    return "Basic " + base64.b64encode(credentials.encode()).decode()


class WebhookSecurityCases:
    url: str = ""
    secret_settings: dict = {}
    #: What the endpoint answers every refused request with (anymail: 400, for any failed
    #: validation); a subclass for an endpoint that answers otherwise says so here.
    refused_status: int = 400

    @pytest.fixture(autouse=True)
    def _webhook_secret(self, settings):
        settings.ANYMAIL = {
            **settings.ANYMAIL,
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            **self.secret_settings,
        }

    def signed_request(self) -> dict:  # pragma: no cover (subclass provides)
        raise AssertionError("Subclasses give a correctly signed request")

    def badly_signed_request(self) -> dict:  # pragma: no cover (subclass provides)
        raise AssertionError("Subclasses give a badly signed request")

    def stale_signed_request(self) -> dict:  # pragma: no cover (subclass provides)
        raise AssertionError("Subclasses give a correctly signed but old request")

    def assert_nothing_recorded(self) -> None:  # pragma: no cover (subclass provides)
        raise AssertionError("Subclasses check that nothing was recorded")

    def post(self, client, request: dict, auth: str | None):
        headers = {"HTTP_AUTHORIZATION": basic_auth(auth)} if auth else {}
        return client.post(self.url, **request, **headers)

    def test_refused_without_the_secret(self, client):
        response = self.post(client, self.signed_request(), auth=None)
        assert response.status_code == self.refused_status
        self.assert_nothing_recorded()

    def test_refused_with_a_wrong_secret(self, client):
        response = self.post(client, self.signed_request(), auth="webhook-user:guessed")
        assert response.status_code == self.refused_status
        self.assert_nothing_recorded()

    def test_refused_with_a_bad_signature(self, client):
        response = self.post(client, self.badly_signed_request(), auth=WEBHOOK_SECRET)
        assert response.status_code == self.refused_status
        self.assert_nothing_recorded()

    def test_refused_with_an_old_signature(self, client):
        response = self.post(client, self.stale_signed_request(), auth=WEBHOOK_SECRET)
        assert response.status_code == self.refused_status
        self.assert_nothing_recorded()

    def test_refused_when_no_secret_is_configured(self, client, settings):
        # As in development, where the variable is not set: the signature alone is not enough.
        settings.ANYMAIL = {**settings.ANYMAIL, "WEBHOOK_SECRET": ""}
        for auth in (None, ":"):
            response = self.post(client, self.signed_request(), auth=auth)
            assert response.status_code == self.refused_status
        self.assert_nothing_recorded()

    def test_refused_over_get(self, client):
        response = client.get(self.url, HTTP_AUTHORIZATION=basic_auth(WEBHOOK_SECRET))
        assert response.status_code == 405
        self.assert_nothing_recorded()

    def test_accepted_with_the_secret_and_signature(self, client):
        response = self.post(client, self.signed_request(), auth=WEBHOOK_SECRET)
        assert response.status_code == 200
