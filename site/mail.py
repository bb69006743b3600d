"""Every email Signpost sends, but a campaign's batches (``newsletters.campaign_backends``),
is built and sent here: one edge between the apps and Django's mail, so each message has
a one-line subject, the sender from ``DEFAULT_FROM_EMAIL`` unless said otherwise, a plain
text body and, when given, an HTML alternative."""

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from .roles import role_member_emails


def email_message(
    *,
    to: list[str],
    subject: str,
    context: dict | None = None,
    text_template: str = "",
    html_template: str = "",
    text: str = "",
    html: str = "",
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict | None = None,
    tags: list[str] | None = None,
    metadata: dict | None = None,
) -> EmailMultiAlternatives:
    """One email, its body from ``text`` or rendered from ``text_template`` with
    ``context``, its HTML part likewise (none if neither is given). ``tags`` and
    ``metadata`` reach the ESP through django-anymail."""
    if text_template:
        text = render_to_string(text_template, context)
    if html_template:
        html = render_to_string(html_template, context)
    message = EmailMultiAlternatives(
        # A header is one line: a title pasted with a line break must not make the email
        # fail (Django refuses a header with a newline in it).
        subject=" ".join(subject.split()),
        body=text,
        from_email=from_email,
        to=to,
        reply_to=reply_to,
        headers=headers,
    )
    if html:
        message.attach_alternative(html, "text/html")
    if tags is not None:
        message.tags = tags
    if metadata is not None:
        message.metadata = metadata
    return message


def email_send(**message) -> None:
    """Build an email with ``email_message`` and send it."""
    email_message(**message).send()


def email_once(rows, *, stamp: str, recipients, compose) -> int:
    """Email ``recipients(row)`` about the first of ``rows`` (a row not yet stamped), and
    only once: the row is locked while the email goes and ``stamp`` is set in the same
    transaction, so a retried task sends nothing the second time. ``compose(row)`` gives
    the email (``email_message``'s arguments but ``to``). Returns how many were told."""
    with transaction.atomic():
        row = rows.select_for_update(of=("self",)).first()
        if row is None:
            return 0
        addresses = recipients(row)
        if addresses:
            email_send(to=addresses, **compose(row))
        type(row).objects.filter(pk=row.pk).update(**{stamp: timezone.now()})
    return len(addresses)


def role_email_once(rows, *, stamp: str, role: str, compose) -> int:
    """``email_once`` to everyone in ``role``."""
    return email_once(
        rows, stamp=stamp, recipients=lambda row: role_member_emails(role), compose=compose
    )
