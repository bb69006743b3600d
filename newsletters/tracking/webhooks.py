"""The ESP's tracking webhook, and only the configured ESP's.

django-anymail's ``anymail.urls`` mounts a tracking endpoint for every provider it knows,
most of them secured by basic auth alone; Signpost mounts the one for ``SIGNPOST_ESP``.
The view refuses a request unless the basic-auth secret *and* the ESP's signature are
both configured and both right, whatever the settings module, and refuses a signature
older than ``SIGNPOST_WEBHOOK_MAX_AGE_SECONDS`` (Mailgun's advice: check the timestamp,
https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#securing-webhooks).
"""

import json
import time

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from django.conf import settings


class MailgunTrackingWebhook(MailgunTrackingWebhookView):
    """Mailgun's tracking events, with nothing optional about their security."""

    def validate_request(self, request):
        # anymail calls every validate_request in the class chain; this one adds what
        # anymail leaves optional: a secret must be set, and the signature must be fresh.
        if not self.basic_auth:
            raise AnymailWebhookValidationFailure("No webhook secret is configured.")
        if not self.webhook_signing_key:
            raise AnymailWebhookValidationFailure("No webhook signing key is configured.")
        timestamp = _signature_timestamp(request)
        try:
            age = time.time() - int(timestamp)
        except (TypeError, ValueError) as error:
            raise AnymailWebhookValidationFailure("The signature has no timestamp.") from error
        if abs(age) > settings.SIGNPOST_WEBHOOK_MAX_AGE_SECONDS:
            raise AnymailWebhookValidationFailure("The signature is too old to accept.")


def _signature_timestamp(request):
    if request.content_type == "application/json":
        try:
            return json.loads(request.body.decode("utf-8"))["signature"]["timestamp"]
        except (KeyError, TypeError, ValueError, UnicodeDecodeError):
            return None
    return request.POST.get("timestamp")


TRACKING_VIEWS = {"mailgun": MailgunTrackingWebhook}
