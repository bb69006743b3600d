"""Anymail's Mailgun backend for campaign batches, given addresses already parsed.

Anymail parses every recipient string with the standard library's address parser, which
is half the CPU of building a 500-recipient batch. A campaign's addresses are stored
subscriber addresses, validated when the resident signed up, so ``prepared_address``
builds anymail's own ``EmailAddress`` for them without the parser, and this payload
takes those as they are. Everything else (the payload, the request, the response and
its parsing) is anymail's Mailgun backend unchanged: ``tests/newsletters`` checks the
payload is the one anymail builds from the strings.
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


class PreparedMailgunPayload(MailgunPayload):
    base_message_attrs = tuple(
        (attr, combiner, _to_addresses if attr == "to" else converter)
        for attr, combiner, converter in MailgunPayload.base_message_attrs
    )


class PreparedMailgunBackend(EmailBackend):
    """The Mailgun backend, taking a campaign batch's ``to`` as prepared addresses."""

    def build_message_payload(self, message, defaults):
        return PreparedMailgunPayload(message, defaults, self)
