"""Signed links in emails: confirm a sign-up (expires), and manage or leave a subscription
(never expires: an unsubscribe link in an old email must still work)."""

import base64
import hashlib
import hmac

from django.conf import settings
from django.core import signing
from django.utils.encoding import force_bytes
from django.utils.translation import gettext_lazy as _

CONFIRM_SALT = "newsletters.confirm"
MANAGE_SALT = "newsletters.manage"


class LinkInvalid(Exception):
    """The link was altered or never issued."""


class LinkExpired(LinkInvalid):
    """The link was genuine but is too old."""


class SubscriptionGone(LinkInvalid):
    """The link was genuine but the subscription has since been erased or purged."""


def confirm_token(subscriber) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign(subscriber.key.hex)


def confirm_token_key(token: str) -> str:
    max_age = settings.SIGNPOST_CONFIRM_LINK_MAX_AGE_DAYS * 86400
    try:
        return signing.TimestampSigner(salt=CONFIRM_SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired(_("This confirmation link has expired.")) from exc
    except signing.BadSignature as exc:
        raise LinkInvalid(_("This link is not valid.")) from exc


def manage_token(subscriber, campaign_id: int | None = None) -> str:
    return signing.dumps([subscriber.key.hex, campaign_id or 0], salt=MANAGE_SALT, compress=True)


class ManageTokenSigner:
    """``manage_token`` for a whole chunk of recipients: the same tokens ``signing.dumps``
    makes (``manage_token_parts`` reads both), with the HMAC key derived and the
    timestamp taken once rather than once per recipient. A payload this short never
    compresses, so ``compress=True`` leaves it as plain base64 JSON."""

    def __init__(self):
        signer = signing.TimestampSigner(salt=MANAGE_SALT)
        key = hashlib.sha256((signer.salt + "signer").encode() + force_bytes(signer.key))
        self._hmac = hmac.new(key.digest(), digestmod=hashlib.sha256)
        self._timestamp = signer.timestamp()

    def token(self, key_hex: str, campaign_id: int | None = None) -> str:
        payload = f'["{key_hex}",{int(campaign_id or 0)}]'.encode()
        value = f"{base64.urlsafe_b64encode(payload).rstrip(b'=').decode()}:{self._timestamp}"
        mac = self._hmac.copy()
        mac.update(value.encode())
        return f"{value}:{base64.urlsafe_b64encode(mac.digest()).rstrip(b'=').decode()}"


def manage_token_parts(token: str) -> tuple[str, int | None]:
    try:
        key, campaign_id = signing.loads(token, salt=MANAGE_SALT)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise LinkInvalid(_("This link is not valid.")) from exc
    return str(key), (int(campaign_id) or None)
