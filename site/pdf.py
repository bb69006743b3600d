"""Print-ready PDFs from Django templates, rendered with WeasyPrint.

Leaflets, signs and reports are HTML templates with print CSS (`@page` size and margins),
so the browser preview and the PDF come from the same markup. Rendering never reaches
the network: the URL fetcher serves the site's own static and media files from disk or
storage and refuses every other address, so a pasted external image cannot leak who is
printing what, or stall a render.
"""

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class ExternalResourceRefused(ValueError):
    """A template asked for something that is not one of the site's own files."""


def _safe_relative(path: str, prefix: str) -> str | None:
    if not path.startswith(prefix):
        return None
    relative = unquote(path[len(prefix) :])
    parts = PurePosixPath(relative).parts
    if not parts or ".." in parts or relative.startswith("/"):
        return None
    return relative


class LocalFilesFetcher(URLFetcher):
    """Serves ``/static/…`` and ``/media/…`` on the site's own address, and ``data:``
    URIs; refuses everything else (WeasyPrint then renders without that resource)."""

    def __init__(self, **kwargs):
        super().__init__(allowed_protocols=["data", "http", "https"], **kwargs)
        base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        self.site_origin = (base.scheme, base.netloc)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc) != self.site_origin:
            raise ExternalResourceRefused(f"Refused to fetch {url}: not one of the site's files.")
        mime_type = mimetypes.guess_type(parts.path)[0] or "application/octet-stream"
        static = _safe_relative(parts.path, settings.STATIC_URL)
        if static is not None:
            found = finders.find(static)
            if not found:
                raise ExternalResourceRefused(f"No static file {static}.")
            with open(found, "rb") as handle:
                return URLFetcherResponse(url, handle.read(), {"Content-Type": mime_type})
        media = _safe_relative(parts.path, settings.MEDIA_URL)
        if media is not None:
            with default_storage.open(media, "rb") as handle:
                return URLFetcherResponse(url, handle.read(), {"Content-Type": mime_type})
        raise ExternalResourceRefused(f"Refused to fetch {url}: only static and media files.")


def render_html(html: str):
    """A laid-out WeasyPrint document for ``html``: read ``.pages`` to check the fit,
    then ``.write_pdf()``."""
    return HTML(
        string=html, base_url=settings.WAGTAILADMIN_BASE_URL, url_fetcher=LocalFilesFetcher()
    ).render()


# Documents people read on screen (reports) are tagged PDF/UA-1: headings, tables and
# reading order for screen readers, the language and the title in the metadata, as the
# public sector's accessibility regulations ask of published PDFs.
ACCESSIBLE_VARIANT = "pdf/ua-1"


def accessible_pdf(document) -> bytes:
    """The laid-out ``document`` as a tagged, accessible PDF (PDF/UA-1). Its title is
    the HTML's ``<title>`` and its language the ``lang`` of ``<html>``."""
    return document.write_pdf(pdf_variant=ACCESSIBLE_VARIANT)


def render_template_document(template_name: str, context: dict, request=None):
    return render_html(render_to_string(template_name, context, request=request))
