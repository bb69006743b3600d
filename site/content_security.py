"""The Content-Security-Policy on every response (django-csp).

Public pages may load only the site's own scripts, styles, images and fonts, and run no
inline script. The Wagtail admin still writes inline scripts and styles in places
(its theme loader, date pickers, panels; wagtail/wagtail#1288, #7053), so pages under
``/admin/`` also allow inline script and style, and nothing from another origin. Uploaded
media is served with a sandbox and no permission to run anything, so a file that is a
script in disguise cannot act on the site's origin.

An email shown in the browser (the editor's email preview, a campaign's preview) must look
as it will in a mail program, which means inline CSS: a ``<style>`` element and ``style``
attributes, as every mail program needs. ``with_own_styles`` gives such a response a
policy of its own: no script, nothing from elsewhere, and only the exact styles the
document carries, allowed by their hashes (``'unsafe-hashes'`` extends a hash to a style
attribute). Nothing else on the site is relaxed, and a style added to the page by any
other means is still blocked.
"""

import base64
import hashlib
from html.parser import HTMLParser

from csp.constants import NONE, SELF, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

from .links import base_url

ADMIN_PREFIX = "/admin/"
ADMIN_ALLOWANCES = {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]}
MEDIA_POLICY = {"default-src": [NONE], "sandbox": True}


class SignpostCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        path = request.path_info
        if settings.MEDIA_URL and path.startswith(settings.MEDIA_URL):
            parts.config = MEDIA_POLICY
        elif path.startswith(ADMIN_PREFIX) and parts.update is None and parts.config is None:
            parts.update = ADMIN_ALLOWANCES
        return parts


class _InlineStyles(HTMLParser):
    """Every ``<style>`` element's text and every ``style`` attribute's value, as the
    browser hashes them (attribute values unescaped, element text as written)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.styles: set[str] = set()
        self._element: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "style" and value is not None:
                self.styles.add(value)
        if tag == "style":
            self._element = []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self.styles.add("")
            self._element = None

    def handle_data(self, data):
        if self._element is not None:
            self._element.append(data)

    def handle_endtag(self, tag):
        if tag == "style" and self._element is not None:
            self.styles.add("".join(self._element))
            self._element = None


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def own_styles_policy(markup: str) -> dict:
    """The policy for one HTML document that may apply its own inline styles and
    nothing else: no script, no frames, no forms, images from the site only."""
    parser = _InlineStyles()
    parser.feed(markup)
    parser.close()
    hashes = sorted(_sha256(style) for style in parser.styles)
    # An email's images (QR codes, pictures) are absolute addresses on the site's public
    # address, which need not be the admin's host.
    images = [*settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].get("img-src", [SELF])]
    images.append(base_url())
    return {
        "default-src": [NONE],
        "img-src": images,
        "style-src": ["'unsafe-hashes'", *hashes] if hashes else [NONE],
        "frame-ancestors": [SELF],
        "base-uri": [NONE],
        "form-action": [NONE],
    }


def with_own_styles(response):
    """``response`` (a whole HTML document) with ``own_styles_policy`` for its content,
    in place of the site's (or the admin's) policy."""
    response._csp_config = own_styles_policy(response.content.decode(response.charset))
    return response
