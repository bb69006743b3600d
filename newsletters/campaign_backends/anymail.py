"""Batch sending through django-anymail: one message, many recipients, ``merge_data``.

With Mailgun, anymail turns ``merge_data``, ``merge_metadata`` and ``merge_headers`` into
recipient-variables, so each resident gets their own name, unsubscribe link and
``List-Unsubscribe`` header, and nobody sees anyone else's address.
"""

import requests
import requests.adapters
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection

from ..email import MERGE_FIELDS, merge_field
from . import BatchResult, CampaignBackend, CampaignBackendError, Recipient, SendGate

# Mailgun's substitution syntax for recipient-variables.
_MAILGUN_FIELD = "%recipient.{}%"


# Merge values that differ in the HTML part: there they are the HTML-escaped copies.
_HTML_FIELDS = {"name": "name_html"}


def to_esp_syntax(template: str, *, html: bool = False) -> str:
    for name in MERGE_FIELDS:
        variable = _HTML_FIELDS.get(name, name) if html else name
        template = template.replace(merge_field(name), _MAILGUN_FIELD.format(variable))
    return template


def _is_transient(error: Exception) -> bool:
    """Timeouts, refused connections, 5xx and 429 are worth retrying; a 4xx is not."""
    response = getattr(error, "response", None)
    if response is None:
        return isinstance(error, requests.exceptions.RequestException)
    status = response.status_code
    return status >= 500 or status == 429


class _GatedAdapter(requests.adapters.HTTPAdapter):
    """Holds a fully built request until its gate opens: anymail's payload and the
    request's encoding (most of an ESP call's CPU) are done by then."""

    def __init__(self, gate: SendGate):
        super().__init__()
        self.gate = gate

    def send(self, request, *args, **kwargs):
        self.gate.wait()
        return super().send(request, *args, **kwargs)


class AnymailBatchBackend(CampaignBackend):
    batch_limit = 1000  # Mailgun's limit on recipients per batch send

    def send_batch(self, *, campaign, recipients: list[Recipient]) -> BatchResult:
        return self._send(self._message(campaign, recipients))

    def send_batch_when_open(
        self, *, campaign, recipients: list[Recipient], gate: SendGate
    ) -> BatchResult:
        message = self._message(campaign, recipients)
        connection = get_connection()
        if not hasattr(connection, "session"):
            # Not an HTTP API backend (tests, the console): nothing to build ahead.
            gate.wait()
            return self._send(message)
        connection.open()
        try:
            adapter = _GatedAdapter(gate)
            connection.session.mount("http://", adapter)
            connection.session.mount("https://", adapter)
            message.connection = connection
            return self._send(message)
        finally:
            connection.close()

    def _message(self, campaign, recipients: list[Recipient]) -> AnymailMessage:
        if len(recipients) > self.batch_limit:
            raise CampaignBackendError(
                f"{len(recipients)} recipients is over the ESP's batch limit", transient=False
            )
        message = AnymailMessage(
            subject=to_esp_syntax(campaign.rendered_subject),
            body=to_esp_syntax(campaign.rendered_text),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[r.email for r in recipients],
        )
        message.attach_alternative(to_esp_syntax(campaign.rendered_html, html=True), "text/html")
        message.merge_data = {r.email: r.merge_values for r in recipients}
        message.merge_metadata = {r.email: {"delivery": str(r.delivery_id)} for r in recipients}
        message.merge_headers = {
            r.email: {"List-Unsubscribe": f"<{r.merge_values['unsubscribe_url']}>"}
            for r in recipients
        }
        message.extra_headers = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        message.metadata = {"campaign": str(campaign.pk)}
        message.tags = ["campaign"]
        message.track_opens = True
        message.track_clicks = True
        return message

    def _send(self, message: AnymailMessage) -> BatchResult:
        try:
            message.send()
        except AnymailRecipientsRefused as error:
            raise CampaignBackendError(str(error), transient=False) from error
        except AnymailAPIError as error:
            raise CampaignBackendError(str(error), transient=_is_transient(error)) from error
        except requests.exceptions.RequestException as error:
            raise CampaignBackendError(str(error), transient=True) from error
        status = message.anymail_status
        batch_id = "" if status.message_id is None else str(status.message_id)
        message_ids, refused = {}, {}
        for email, recipient_status in (status.recipients or {}).items():
            if recipient_status.status in {"rejected", "invalid", "failed"}:
                refused[email.lower()] = recipient_status.status
            elif recipient_status.message_id is not None:
                message_ids[email.lower()] = str(recipient_status.message_id)
        for email in message.to:
            if email not in message_ids and email not in refused:
                message_ids[email] = batch_id
        return BatchResult(message_ids=message_ids, refused=refused)
