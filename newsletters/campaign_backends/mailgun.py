"""Anymail's Mailgun backend for campaign batches, given addresses already parsed.

Two things took three quarters of the CPU of building a 500-recipient batch: anymail
parses every recipient string with the standard library's address parser, and requests
percent-encodes the form (the recipient-variables field is 300 kB) a byte at a time in
Python. A campaign's addresses are stored subscriber addresses, so ``prepared_address``
builds anymail's own ``EmailAddress`` for a plain one without the parser, and this
payload takes those as they are and encodes its form with ``form_urlencoded``.
Everything else (the payload, the request, the response and its parsing) is anymail's
Mailgun backend unchanged: ``tests/newsletters`` checks the payload is the one anymail
builds from the strings, and the body the one requests would send.
"""

import re

from anymail.backends.mailgun import EmailBackend, MailgunPayload
from anymail.exceptions import AnymailInvalidAddress
from anymail.utils import EmailAddress, parse_address_list, parse_single_address

# A bare address in the plainest form RFC 5322 has (dot-atom @ dotted domain of letters,
# digits and hyphens): one the standard parser would give back unchanged.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


def prepared_address(email: str) -> EmailAddress:
    """Anymail's ``EmailAddress`` for a stored address: built from its two halves (no
    parsing) when it is a plain one, else parsed the usual way. Raises
    ``AnymailInvalidAddress`` for an address anymail would refuse, and for one the
    parser would read as some other address (it drops a line break, for one)."""
    if _PLAIN_ADDRESS.fullmatch(email):
        local, _, domain = email.rpartition("@")
        return EmailAddress(username=local, domain=domain)
    address = parse_single_address(email, field="to")
    if not address.username or not address.domain or address.addr_spec != email:
        raise AnymailInvalidAddress(f"Invalid email address {email!r}")
    return address


def _to_addresses(value, field=None):
    """``to`` as anymail's converter gives it, taking prepared addresses as they are."""
    if all(isinstance(address, EmailAddress) for address in value):
        return list(value)
    return parse_address_list(value, field=field)


# What quote_plus(safe="") leaves as it is; every other byte is %XX, and the space "+".
_UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
_PERCENT, _SPACE = ord("%"), ord(" ")


def _quote_plus(value) -> bytes:
    """``urllib.parse.quote_plus(value, safe="")``, byte for byte, by replacing each
    distinct byte that needs it once (C string operations) rather than looking up every
    byte of a 300 kB recipient-variables field in Python."""
    if isinstance(value, bool | int | float):
        value = str(value)
    raw = value.encode("utf-8") if isinstance(value, str) else value
    if not isinstance(raw, bytes):
        raise TypeError(f"cannot form-encode {type(value).__name__}")
    # "%" first and the space last: the replacements are made of "%", hex digits and "+".
    for byte in sorted(set(raw.translate(None, _UNRESERVED)), key=_replacement_order):
        raw = raw.replace(bytes([byte]), b"+" if byte == _SPACE else b"%%%02X" % byte)
    return raw


def _replacement_order(byte: int) -> tuple[bool, bool]:
    return (byte != _PERCENT, byte == _SPACE)


def form_urlencoded(data) -> bytes:
    """The body requests makes of a dict of form fields (``_encode_params``: a list
    value is the field repeated, ``None`` is left out), encoded with ``_quote_plus``.
    Raises ``TypeError`` for a value requests would encode some other way."""
    fields = []
    for key, values in data.items():
        if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
            values = [values]
        for value in values:
            if value is not None:
                fields.append(_quote_plus(key) + b"=" + _quote_plus(value))
    return b"&".join(fields)


class PreparedMailgunPayload(MailgunPayload):
    base_message_attrs = tuple(
        (attr, combiner, _to_addresses if attr == "to" else converter)
        for attr, combiner, converter in MailgunPayload.base_message_attrs
    )

    def get_request_params(self, api_url):
        """The form encoded here, as requests would (a test holds them to the same
        bytes), in a tenth of its time; with attachments it is multipart, left to
        requests."""
        params = super().get_request_params(api_url)
        if not params["files"] and isinstance(params["data"], dict):
            try:
                params["data"] = form_urlencoded(params["data"])
            except TypeError:
                return params
            params["headers"] = {
                **params["headers"],
                "Content-Type": "application/x-www-form-urlencoded",
            }
        return params


class PreparedMailgunBackend(EmailBackend):
    """The Mailgun backend, taking a campaign batch's ``to`` as prepared addresses."""

    def build_message_payload(self, message, defaults):
        return PreparedMailgunPayload(message, defaults, self)
