"""Batch sending through django-anymail: one message, many recipients, ``merge_data``.

With Mailgun, anymail turns ``merge_data``, ``merge_metadata`` and ``merge_headers`` into
recipient-variables, so each resident gets their own name, unsubscribe link and
``List-Unsubscribe`` header, and nobody sees anyone else's address.
"""

from typing import NamedTuple

import requests
import requests.adapters
from anymail.exceptions import AnymailAPIError, AnymailInvalidAddress, AnymailRecipientsRefused
from anymail.message import AnymailMessage
from django.conf import settings
from django.core.mail import get_connection

from ..campaigns.email import MERGE_FIELDS, merge_field
from . import BatchResult, CampaignBackend, CampaignBackendError, Recipient, SendGate
from .mailgun import PreparedMailgunBackend, prepared_address

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


# Anymail backends with a twin that takes a batch's addresses already parsed.
_PREPARED_BACKENDS = {
    "anymail.backends.mailgun.EmailBackend": (
        "newsletters.campaign_backends.mailgun.PreparedMailgunBackend"
    ),
}


class _Batch(NamedTuple):
    """A batch's message, the addresses it goes to, and those left out as invalid."""

    message: AnymailMessage
    emails: list[str]
    invalid: dict[str, str]


class AnymailBatchBackend(CampaignBackend):
    batch_limit = 1000  # Mailgun's limit on recipients per batch send

    def send_batch(self, *, campaign, recipients: list[Recipient]) -> BatchResult:
        batch = self._batch(campaign, recipients, get_connection(self._backend_path()))
        return self._send(batch)

    def send_batch_when_open(
        self, *, campaign, recipients: list[Recipient], gate: SendGate
    ) -> BatchResult:
        connection = get_connection(self._backend_path())
        batch = self._batch(campaign, recipients, connection)
        if not hasattr(connection, "session"):
            # Not an HTTP API backend (tests, the console): nothing to build ahead.
            gate.wait()
            return self._send(batch)
        connection.open()
        try:
            adapter = _GatedAdapter(gate)
            connection.session.mount("http://", adapter)
            connection.session.mount("https://", adapter)
            return self._send(batch)
        finally:
            connection.close()

    @staticmethod
    def _backend_path() -> str:
        return _PREPARED_BACKENDS.get(settings.EMAIL_BACKEND, settings.EMAIL_BACKEND)

    def _batch(self, campaign, recipients: list[Recipient], connection) -> _Batch:
        """The batch's message. An address anymail would refuse is left out and counted
        refused as invalid, so one bad address does not fail the rest of the batch."""
        if len(recipients) > self.batch_limit:
            raise CampaignBackendError(
                f"{len(recipients)} recipients is over the ESP's batch limit", transient=False
            )
        prepared = isinstance(connection, PreparedMailgunBackend)
        to, valid, invalid = [], [], {}
        for r in recipients:
            try:
                address = prepared_address(r.email)
            except AnymailInvalidAddress:
                invalid[r.email] = "invalid"
                continue
            to.append(address if prepared else r.email)
            valid.append(r)
        message = AnymailMessage(
            subject=to_esp_syntax(campaign.rendered_subject),
            body=to_esp_syntax(campaign.rendered_text),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=to,
            connection=connection,
        )
        message.attach_alternative(to_esp_syntax(campaign.rendered_html, html=True), "text/html")
        message.merge_data = {r.email: r.merge_values for r in valid}
        message.merge_metadata = {r.email: {"delivery": str(r.delivery_id)} for r in valid}
        message.merge_headers = {
            r.email: {"List-Unsubscribe": f"<{r.merge_values['unsubscribe_url']}>"} for r in valid
        }
        message.extra_headers = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        message.metadata = {"campaign": str(campaign.pk)}
        message.tags = ["campaign"]
        message.track_opens = True
        message.track_clicks = True
        return _Batch(message=message, emails=[r.email for r in valid], invalid=invalid)

    def _send(self, batch: _Batch) -> BatchResult:
        message = batch.message
        if not message.to:
            return BatchResult(message_ids={}, refused=dict(batch.invalid))
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
        message_ids, refused = {}, dict(batch.invalid)
        recipient_status = {email.lower(): s for email, s in (status.recipients or {}).items()}
        for email in batch.emails:
            this = recipient_status.get(email.lower())
            if this is not None and this.status in {"rejected", "invalid", "failed"}:
                refused[email] = this.status
            elif this is not None and this.message_id is not None:
                message_ids[email] = str(this.message_id)
            else:
                message_ids[email] = batch_id
        return BatchResult(message_ids=message_ids, refused=refused)
