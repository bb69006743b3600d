"""Development email: every message written to ``EMAIL_FILE_PATH`` (var/mail/) as the ESP
would deliver it, so a newcomer reads exactly what each resident would get.

An anymail backend, so the sending code runs as in production (batch sends with
``merge_data``, ``merge_headers``, ``merge_metadata``, tags, ``esp_extra``), and it applies
them as Mailgun does (https://documentation.mailgun.com/docs/mailgun/user-manual/sending-messages/batch-sending/):
one message per recipient of a batch, each with only their own address, every
``%recipient.key%`` replaced in the subject, bodies and headers, per-recipient headers
such as ``List-Unsubscribe``, and the custom data in ``X-Mailgun-Variables``. Each
delivered message is one ``.eml`` file, named by time and recipient; ``outbox()`` lists
them for the admin's *Outgoing mail* page.
"""

import json
import os
import re
import uuid
from dataclasses import dataclass
from email import message_from_binary_file, policy
from email.utils import parsedate_to_datetime
from pathlib import Path

from anymail.backends.base import AnymailBaseBackend
from anymail.backends.test import TestPayload
from anymail.message import AnymailRecipientStatus
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

_VARIABLE = re.compile(r"%recipient\.([^%\s]+)%")
_UNSAFE = re.compile(r"[^A-Za-z0-9@._+-]+")


def substitute(template: str, values: dict) -> str:
    """Mailgun's recipient-variable substitution. A variable with no value is left as
    written, so a missing merge value shows in the file instead of vanishing."""
    if not template:
        return template
    return _VARIABLE.sub(
        lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template
    )


def mailbox_in_use() -> bool:
    return settings.EMAIL_BACKEND == "signpost.dev_mail.EmailBackend"


def may_read_mailbox(user) -> bool:
    """Superusers, and only while email goes to files: the files hold residents'
    addresses and working unsubscribe links."""
    return mailbox_in_use() and user.is_superuser


def mail_dir() -> Path:
    return Path(settings.EMAIL_FILE_PATH)


class EmailBackend(AnymailBaseBackend):
    """Writes one file per recipient under ``EMAIL_FILE_PATH``."""

    esp_name = "Development mailbox"

    def build_message_payload(self, message, defaults):
        return TestPayload(backend=self, message=message, defaults=defaults)

    def post_to_esp(self, payload, message):
        params = payload.get_params()
        message_id = self._message_id(params)
        folder = mail_dir()
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.now().strftime("%Y%m%d-%H%M%S-%f")
        for number, (address, delivered) in enumerate(self._deliveries(params, message_id), 1):
            name = f"{stamp}-{number:04d}-{_UNSAFE.sub('_', address)[:80]}.eml"
            partial = folder / f".{name}.part"
            partial.write_bytes(delivered.message().as_bytes())
            os.replace(partial, folder / name)
        return {
            email: AnymailRecipientStatus(message_id=message_id, status="queued")
            for email in payload.recipient_emails
        }

    def parse_recipient_status(self, response, payload, message):
        return response

    @staticmethod
    def _message_id(params) -> str:
        domain = params["from"].domain if params.get("from") else "signpost.localhost"
        return f"<{timezone.now():%Y%m%d%H%M%S}.{uuid.uuid4().hex[:16]}@{domain}>"

    def _deliveries(self, params, message_id):
        """(address, message) for every mailbox the ESP would deliver to."""
        to = params.get("to", [])
        cc = params.get("cc", [])
        bcc = params.get("bcc", [])
        global_values = params.get("merge_global_data") or {}
        if params["is_batch_send"]:
            for recipient in to:
                values = {
                    **global_values,
                    **params.get("merge_data", {}).get(recipient.addr_spec, {}),
                }
                headers = {
                    **params.get("extra_headers", {}),
                    **params.get("merge_headers", {}).get(recipient.addr_spec, {}),
                }
                metadata = {
                    **params.get("metadata", {}),
                    **params.get("merge_metadata", {}).get(recipient.addr_spec, {}),
                }
                yield (
                    recipient.addr_spec,
                    self._compose(params, message_id, [recipient], cc, values, headers, metadata),
                )
            shared = cc + bcc
        else:
            shared = to + cc + bcc
        for recipient in shared:
            yield (
                recipient.addr_spec,
                self._compose(
                    params,
                    message_id,
                    [] if params["is_batch_send"] else to,
                    cc,
                    global_values,
                    params.get("extra_headers", {}),
                    params.get("metadata", {}),
                ),
            )

    @staticmethod
    def _compose(params, message_id, to, cc, values, headers, metadata):
        headers = {key: substitute(str(value), values) for key, value in headers.items()}
        headers["Message-ID"] = message_id
        if metadata:
            headers["X-Mailgun-Variables"] = json.dumps(metadata)
        if params.get("tags"):
            headers["X-Mailgun-Tag"] = ", ".join(params["tags"])
        delivered = EmailMultiAlternatives(
            subject=substitute(params.get("subject", ""), values),
            body=substitute(params.get("text_body", ""), values),
            from_email=params["from"].address if params.get("from") else None,
            to=[r.address for r in to],
            cc=[r.address for r in cc],
            reply_to=[r.address for r in params.get("reply_to", [])],
            headers=headers,
        )
        if params.get("html_body"):
            delivered.attach_alternative(substitute(params["html_body"], values), "text/html")
        for content, mimetype in params.get("alternatives", []):
            delivered.attach_alternative(substitute(content, values), mimetype)
        for attachment in params.get("attachments", []):
            delivered.attach(attachment.name, attachment.content, attachment.mimetype)
        return delivered


@dataclass
class OutgoingMail:
    """One file in the development mailbox, as the admin lists it."""

    name: str
    to: str
    subject: str
    sent_at: object


def outbox(limit: int = 500) -> list[OutgoingMail]:
    """The newest files in the development mailbox first."""
    folder = mail_dir()
    if not folder.is_dir():
        return []
    names = sorted((p.name for p in folder.glob("*.eml")), reverse=True)[:limit]
    listed = []
    for name in names:
        parsed = read_mail(name)
        if parsed is None:
            continue
        try:
            sent_at = parsedate_to_datetime(parsed["Date"])
        except (TypeError, ValueError):
            sent_at = None
        listed.append(
            OutgoingMail(
                name=name, to=parsed["To"] or "", subject=parsed["Subject"] or "", sent_at=sent_at
            )
        )
    return listed


def read_mail(name: str):
    """The parsed message in ``name``, or None if there is no such file in the mailbox
    (a name with a path in it never leaves the folder)."""
    if "/" in name or "\\" in name or not name.endswith(".eml") or name.startswith("."):
        return None
    path = mail_dir() / name
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        return message_from_binary_file(handle, policy=policy.default)
