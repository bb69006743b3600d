"""Protection shared by every public form: a honeypot field and a per-address rate limit.

The rate limit counts in the cache (Redis in production, so every web process agrees).
The client address is used only as a hashed, short-lived cache key and is never stored.
"""

import hashlib
import ipaddress
import time

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from ipware import get_client_ip

HONEYPOT_FIELD = "website"


class HoneypotFormMixin(forms.Form):
    """A field people never see or fill in; bots that fill every field give themselves away."""

    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get(self.add_prefix(HONEYPOT_FIELD)))


def client_address(request) -> str:
    """The resident's address as the nearest trusted proxy saw it.

    With ``SIGNPOST_TRUSTED_PROXY_COUNT`` = 0 (no proxy in front), only the socket's
    address counts and any ``X-Forwarded-For`` is ignored, since anyone can send one. With
    N proxies, each appending the address it was reached from, the client is the Nth
    entry from the right of ``X-Forwarded-For`` (django-ipware counts the proxies before
    the last one, whose own address is ``REMOTE_ADDR``); entries further left were
    written by the client and are not believed. A request that reached the app without
    passing the proxies falls back to the socket's address.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.SIGNPOST_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    address, _routable = get_client_ip(
        request,
        proxy_count=proxies - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return address or remote


def rate_limit_subject(address: str) -> str:
    """Whom a rate limit counts: an IPv4 address, or the /64 network of an IPv6 one (a
    single home or phone is given a whole /64 and can rotate through it at will)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def rate_limited(
    request, *, scope: str, limit: int, period_seconds: int, key: str | None = None
) -> bool:
    """Count one attempt for this client in this scope (or, with ``key``, for that key,
    such as an email address asked for, whoever asks); True when over the limit."""
    if not getattr(settings, "SIGNPOST_RATE_LIMITS_ENABLED", True):
        return False
    window = int(time.time() // period_seconds)
    counted = rate_limit_subject(client_address(request)) if key is None else key
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{counted}".encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{window}:{digest}"
    cache.add(cache_key, 0, timeout=period_seconds + 5)
    try:
        count = cache.incr(cache_key)
    except ValueError:
        cache.set(cache_key, 1, timeout=period_seconds + 5)
        count = 1
    return count > limit
