"""Absolute links from site-relative ones, for every place a link leaves the site: emails,
QR codes, printed short addresses. The base is ``WAGTAILADMIN_BASE_URL`` (the
``SIGNPOST_BASE_URL`` setting), the one address Signpost is served at."""

import re

from django.conf import settings

_ALREADY_ABSOLUTE = ("http://", "https://", "mailto:", "tel:")


def base_url() -> str:
    """The site's address without a trailing slash."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` on the site as a full address; an address that is already absolute (or
    empty) is returned as it is."""
    if not path or path.startswith(_ALREADY_ABSOLUTE):
        return path
    return base_url() + "/" + path.lstrip("/")


def absolutise(markup: str) -> str:
    """Site-relative links and images made absolute: an email has no site to be relative to."""
    base = base_url()
    return re.sub(r'(href|src)="/(?!/)', lambda m: f'{m.group(1)}="{base}/', markup)
