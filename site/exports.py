"""Spreadsheet exports that a spreadsheet program cannot be tricked into running, and that
cost the same memory for a million rows as for ten.

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be read as
a formula (CSV injection); such cells are prefixed with an apostrophe.

A CSV is streamed as its rows come from the database (``StreamingHttpResponse``); a
workbook is written row by row into a temporary file (openpyxl's write-only mode) and
sent from there (``FileResponse``). A queryset is read in chunks (``.iterator()``), so
the number of queries is fixed and the rows are never all in memory at once. A listing's
export too large to finish within a request is prepared in the background
(``signpost.prepared_exports``).
"""

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence

from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from wagtail.admin.views.mixins import ExcelDateFormatter
from wagtail.snippets.views import snippets as snippet_views

from . import prepared_exports
from .pagination import BoundedCountMixin

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters Excel refuses in a sheet's name.
_SHEET_TITLE_UNSAFE = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
# Rows fetched per round trip when an export reads a queryset.
EXPORT_CHUNK_SIZE = 2000
# Bytes of CSV gathered before they are handed to the server: one write per row is slow.
_CSV_FLUSH_AT = 64 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_rows(rows: Iterable) -> Iterable:
    """A queryset read in chunks, with its prefetches done a chunk at a time; any other
    iterable as it is."""
    if isinstance(rows, QuerySet):
        return rows.iterator(chunk_size=EXPORT_CHUNK_SIZE)
    return rows


def csv_lines(header: Sequence[str], rows: Iterable[Sequence]) -> Iterator[str]:
    """The CSV text of ``header`` and ``rows``, every cell neutralised, in pieces of about
    64 KB as the rows arrive."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise_cell(h) for h in header])
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
        if buffer.tell() >= _CSV_FLUSH_AT:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence]
) -> StreamingHttpResponse:
    """A CSV download streamed as ``rows`` yields them: give it a generator (or a queryset's
    ``.iterator()``), not a list, and memory stays flat."""
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_file(
    header: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = ""
) -> tempfile.SpooledTemporaryFile:
    """A workbook of one named sheet (at most 31 characters, as Excel allows; "Sheet"
    without a name), written row by row into a temporary file, rewound."""
    from openpyxl import Workbook  # a third of a second to import: only for workbooks

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31].translate(_SHEET_TITLE_UNSAFE) or None)
    sheet.append([neutralise_cell(h) for h in header])
    for row in rows:
        sheet.append([neutralise_cell(cell) for cell in row])
    return workbook_file(workbook)


def workbook_file(workbook) -> tempfile.SpooledTemporaryFile:
    """The saved workbook, rewound: in memory while small, on disk once large. Left open
    for the ``FileResponse`` that sends it, which closes it."""
    output = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    workbook.save(output)
    output.seek(0)
    return output


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = ""
) -> FileResponse:
    """One named sheet (at most 31 characters, as Excel allows; "Sheet" without a name)."""
    return _xlsx_file_response(filename, xlsx_file(header, rows, sheet_title=sheet_title))


def _xlsx_file_response(filename: str, output) -> FileResponse:
    response = FileResponse(output, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_prepare(
    request, *, title: str, filename: str, export_format: str, permissions, register=False
):
    """Have the export this request asks for prepared by a worker, as this user, from the
    same address and query string (``signpost.prepared_exports``), and send the user to
    "Your downloads": because it has too many rows to write within the request, or, for a
    ``register`` that grows with the force, always."""
    match = request.resolver_match
    export = prepared_exports.prepared_export_request(
        user=request.user,
        title=title,
        url_name=match.view_name if match.url_name else "",
        url_kwargs=match.kwargs,
        path=request.path_info,
        query_string=request.META.get("QUERY_STRING", ""),
        export_format=export_format,
        permissions=list(permissions),
        filename=filename,
    )
    if register:
        message = (
            f"{export.title}: the file is being prepared, and will be here to download "
            "when it is ready, usually within seconds."
        )
    else:
        message = (
            f"{export.title} has too many rows to download at once: the file is being "
            "prepared, and will be here when it is ready."
        )
    messages.info(request, message)
    return redirect("signpost_downloads")


def export_prepare_if_large(request, counted, **export) -> HttpResponse | None:
    """For an export built by hand: when ``counted`` (a queryset of one row per exported
    row) has more rows than a request can write, the export is prepared in the background
    (``export_prepare``, with ``export``'s title, filename, format and permissions) and
    the redirect there returned; otherwise None, and the view writes the file itself,
    its rows passed through ``export_rows_counted``."""
    if prepared_exports.build_target(request) is not None:
        return None
    if not prepared_exports.too_large_for_a_request(counted):
        return None
    return export_prepare(request, **export)


def export_rows_counted(request, rows: Iterable) -> Iterable:
    """``rows``, counted when a worker is preparing this export."""
    target = prepared_exports.build_target(request)
    return target.counted(rows) if target is not None else rows


class NeutralisedExportMixin:
    """For a Wagtail listing view with ``list_export``: every exported cell neutralised, and
    the export read from the database in chunks and streamed, so a register of a million
    rows downloads in flat memory and a fixed number of queries. Every listing that
    exports goes through this, so no export runs a formula.

    Wagtail's own export (``SpreadsheetExportMixin``) loads the whole queryset at once and
    looks up each cell's preprocessing by walking its table of types; here the rows come
    ``EXPORT_CHUNK_SIZE`` at a time and the lookup is remembered per column and type. The
    columns, headings and cell values are Wagtail's.

    An export of more rows than a request can write before gunicorn kills it
    (``SIGNPOST_EXPORT_INLINE_ROWS``) is prepared by a worker instead, which calls this
    same view as the same user (``signpost.prepared_exports``), and the user is sent to
    "Your downloads".
    """

    #: A register that grows with the force (``export_always_prepared = True``: the
    #: subscribers, the stakeholders, the engagement log, the site's history) is prepared
    #: by a worker at every size, not only past the bound: one behaviour for the officer
    #: whether it holds 30 rows or 30,000, and a request that costs the same either way.
    export_always_prepared = False

    #: For a listing of many rows: the database value each ``list_export`` column is read
    #: from (``{"area": "area__name"}``; a column not named is read from the field of its
    #: name). With it the export reads plain rows instead of building a model instance
    #: (and one for each joined relation) a row, several times faster; without it
    #: (``None``) each column is the object's attribute, as in Wagtail.
    export_value_paths: dict[str, str] | None = None

    def get(self, request, *args, **kwargs):
        # Wagtail builds the listing's page before it exports, counting the export's rows
        # with ``len()``: every row loaded as an object before the first is written. An
        # export needs only the filtered, searched, ordered queryset.
        if getattr(self, "is_export", False):
            if hasattr(self, "get_filtered_queryset"):  # a report
                self.object_list = self.get_filtered_queryset()
            else:
                self.object_list = self.get_queryset()
            if prepared_exports.build_target(request) is None and (
                self.export_always_prepared
                or prepared_exports.too_large_for_a_request(self.object_list)
            ):
                return self.export_prepare(request)
            return self.as_spreadsheet(self.object_list, request.GET.get("export"))
        return super().get(request, *args, **kwargs)

    def export_prepare(self, request):
        """Too many rows to write before the request is killed: a worker prepares the
        file as this user, with these filters, for their downloads page."""
        export_format = request.GET.get("export")
        return export_prepare(
            request,
            title=str(self.export_title()),
            filename=f"{self.get_filename()}.{export_format}",
            export_format=export_format,
            permissions=self.export_permissions(),
            register=self.export_always_prepared,
        )

    def export_title(self) -> str:
        if hasattr(self, "get_page_title"):
            return self.get_page_title()
        return getattr(self, "page_title", "") or self.get_filename()

    def export_permissions(self) -> list[str]:
        """The permissions, any one of which lets a user export this listing (checked
        again when the file is built and when it is downloaded); admin access alone for
        a listing with no permission policy, which filters its rows by user itself."""
        policy = getattr(self, "permission_policy", None)
        model = getattr(policy, "model", None)
        if model is None:
            return []
        actions = list(getattr(self, "any_permission_required", None) or [])
        if getattr(self, "permission_required", None):
            actions.append(self.permission_required)
        opts = model._meta
        return [f"{opts.app_label}.{get_permission_codename(a, opts)}" for a in actions]

    def preprocess_field_value(self, field, value, export_format):
        return neutralise_cell(super().preprocess_field_value(field, value, export_format))

    def get_preprocess_function(self, field, value, export_format):
        cache = self.__dict__.setdefault("_preprocess_functions", {})
        key = (field, type(value), export_format)
        if key not in cache:
            cache[key] = super().get_preprocess_function(field, value, export_format)
        return cache[key]

    def export_headings_row(self, queryset) -> list[str]:
        return [self.get_heading(queryset, field) for field in self.list_export]

    def export_items(self, queryset) -> Iterable:
        """The objects to export, in order: plain rows when ``export_value_paths`` says
        where each column is stored."""
        if self.export_value_paths is not None and isinstance(queryset, QuerySet):
            paths = [self.export_value_paths.get(f, f) for f in self.list_export]
            queryset = queryset.values_list(*paths)
        return export_rows_counted(self.request, export_rows(queryset))

    def to_row_dict(self, item):
        if isinstance(item, tuple):  # a row read by ``export_value_paths``
            return dict(zip(self.list_export, item, strict=True))
        return super().to_row_dict(item)

    def stream_csv(self, queryset):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(self.export_headings_row(queryset))
        fields = self.list_export
        for item in self.export_items(queryset):
            row = self.to_row_dict(item)
            writer.writerow(
                [self.preprocess_field_value(f, row[f], self.FORMAT_CSV) for f in fields]
            )
            if buffer.tell() >= _CSV_FLUSH_AT:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def xlsx_workbook(self, queryset):
        from openpyxl import Workbook  # a third of a second to import: only for workbooks

        workbook = Workbook(write_only=True, iso_dates=True)
        worksheet = workbook.create_sheet(title="Sheet1")
        worksheet.append(self.export_headings_row(queryset))
        date_format = ExcelDateFormatter().get()
        for item in self.export_items(queryset):
            worksheet.append(
                self.generate_xlsx_row(worksheet, self.to_row_dict(item), date_format=date_format)
            )
        return workbook

    def write_xlsx(self, queryset, output):
        self.xlsx_workbook(queryset).save(output)

    def write_xlsx_response(self, queryset):
        return FileResponse(
            workbook_file(self.xlsx_workbook(queryset)),
            as_attachment=True,
            content_type=XLSX_CONTENT_TYPE,
            filename=f"{self.get_filename()}.xlsx",
        )


class SafeExportIndexView(BoundedCountMixin, NeutralisedExportMixin, snippet_views.IndexView):
    """A listing whose export neutralises every cell, so '=HYPERLINK(…)' in a name or an
    outlet stays text in a spreadsheet, which loads the relations its columns and export
    show in a fixed number of queries (``select`` and ``prefetch``), and whose count stops
    at a bound (``signpost.pagination``)."""

    select: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.select:
            queryset = queryset.select_related(*self.select)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return queryset
