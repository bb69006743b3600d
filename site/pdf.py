"""Print-ready PDFs from Django templates, rendered with WeasyPrint.

Leaflets, signs and reports are HTML templates with print CSS (`@page` size and margins),
so the browser preview and the PDF come from the same markup. Rendering never reaches
the network: the URL fetcher serves the site's own static and media files from disk or
storage and refuses every other address, so a pasted external image cannot leak who is
printing what, or stall a render.
"""

import mimetypes
from array import array
from collections import deque
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from pypdf import PdfReader
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)
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


def render_template_document(template_name: str, context: dict, request=None):
    return render_html(render_to_string(template_name, context, request=request))


def render_template_to_pdf(template_name: str, context: dict, request=None) -> bytes:
    """The PDF bytes of a template rendered with ``context``."""
    return render_template_document(template_name, context, request=request).write_pdf()


class PdfPageStream:
    """One PDF written from the pages of others, each source's objects copied to disk as
    soon as they are read, so memory holds one source at a time however many pages the
    output grows to. (pypdf's ``PdfWriter`` and qpdf both keep every page's objects until
    the file is written: their memory grows with the run.)

    Only pages and what they use are copied; document-level parts of the sources
    (outlines, named destinations) are left out, as a printer needs only the pages.
    The first source's title and language are kept. Use as a context manager, or call
    ``close()`` to write the page tree and cross-reference table.
    """

    CATALOG, PAGES, INFO = 1, 2, 3

    def __init__(self, handle):
        self.handle = handle
        # offsets[n] is where object n starts; 0 for the three written last.
        self.offsets = array("Q", [0, 0, 0, 0])
        self.page_numbers = array("Q")
        self.title = ""
        self.lang = ""
        self.sources = 0
        handle.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()

    @property
    def page_count(self) -> int:
        return len(self.page_numbers)

    def append(self, source) -> int:
        """Copy every page of ``source`` (a path or binary file) to the end; returns how
        many pages it added."""
        reader = PdfReader(source)
        if self.sources == 0:
            self.title = (reader.metadata or {}).get("/Title", "") or ""
            self.lang = reader.trailer["/Root"].get("/Lang", "") or ""
        self.sources += 1
        renumbered: dict[tuple[int, int], int] = {}
        pending: deque[IndirectObject] = deque()

        def renumber(reference: IndirectObject) -> IndirectObject:
            key = (reference.idnum, reference.generation)
            if key not in renumbered:
                renumbered[key] = len(self.offsets)
                self.offsets.append(0)
                pending.append(reference)
            return IndirectObject(renumbered[key], 0, None)

        def copy(value):
            if isinstance(value, IndirectObject):
                return renumber(value)
            if isinstance(value, StreamObject):
                stream = DecodedStreamObject()
                # The stored (still compressed) bytes, copied as they are, never decoded.
                stream.set_data(value._data)
                stream.update({k: copy(v) for k, v in value.items() if k != "/Length"})
                return stream
            if isinstance(value, DictionaryObject):
                return DictionaryObject({k: copy(v) for k, v in value.items()})
            if isinstance(value, ArrayObject):
                return ArrayObject(copy(v) for v in value)
            return value

        pages = reader.pages
        for page in pages:
            # Every node of the source's page tree becomes this file's single one.
            parent = page.get("/Parent")
            while isinstance(parent, IndirectObject):
                key = (parent.idnum, parent.generation)
                if key in renumbered:
                    break
                renumbered[key] = self.PAGES
                parent = parent.get_object().get("/Parent")
        for page in pages:
            self.page_numbers.append(renumber(page.indirect_reference).idnum)
        while pending:
            reference = pending.popleft()
            number = renumbered[(reference.idnum, reference.generation)]
            value = reference.get_object()
            if isinstance(value, DictionaryObject) and value.get("/Type") == "/Page":
                # pypdf has already copied inherited attributes (MediaBox, Resources)
                # onto each page, so the page stands alone under the new tree.
                value = copy(DictionaryObject({k: v for k, v in value.items() if k != "/Parent"}))
                value[NameObject("/Parent")] = IndirectObject(self.PAGES, 0, None)
            else:
                value = copy(value)
            self._write(number, value)
        return len(pages)

    def _write(self, number: int, value) -> None:
        self.offsets[number] = self.handle.tell()
        self.handle.write(f"{number} 0 obj\n".encode())
        value.write_to_stream(self.handle)
        self.handle.write(b"\nendobj\n")

    def close(self) -> None:
        kids = ArrayObject(IndirectObject(n, 0, None) for n in self.page_numbers)
        self._write(
            self.PAGES,
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Pages"),
                    NameObject("/Kids"): kids,
                    NameObject("/Count"): NumberObject(len(kids)),
                }
            ),
        )
        catalog = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Catalog"),
                NameObject("/Pages"): IndirectObject(self.PAGES, 0, None),
            }
        )
        if self.lang:
            catalog[NameObject("/Lang")] = TextStringObject(self.lang)
        self._write(self.CATALOG, catalog)
        info = DictionaryObject({NameObject("/Producer"): TextStringObject("Signpost")})
        if self.title:
            info[NameObject("/Title")] = TextStringObject(self.title)
        self._write(self.INFO, info)
        xref_at = self.handle.tell()
        self.handle.write(f"xref\n0 {len(self.offsets)}\n0000000000 65535 f \n".encode())
        for offset in self.offsets[1:]:
            self.handle.write(f"{offset:010d} 00000 n \n".encode())
        trailer = DictionaryObject(
            {
                NameObject("/Size"): NumberObject(len(self.offsets)),
                NameObject("/Root"): IndirectObject(self.CATALOG, 0, None),
                NameObject("/Info"): IndirectObject(self.INFO, 0, None),
            }
        )
        self.handle.write(b"trailer\n")
        trailer.write_to_stream(self.handle)
        self.handle.write(f"\nstartxref\n{xref_at}\n%%EOF\n".encode())
