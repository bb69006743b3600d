"""Spreadsheet exports that a spreadsheet program cannot be tricked into running.

A cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can be read as
a formula (CSV injection); such cells are prefixed with an apostrophe.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from wagtail.snippets.views import snippets as snippet_views

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Characters Excel refuses in a sheet's name.
_SHEET_TITLE_UNSAFE = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def neutralise_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class NeutralisedExportMixin:
    """For a Wagtail listing view with ``list_export``: every exported cell neutralised.
    Every listing that exports goes through this, so no export runs a formula."""

    def preprocess_field_value(self, field, value, export_format):
        return neutralise_cell(super().preprocess_field_value(field, value, export_format))


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise_cell(h) for h in header])
    for row in rows:
        writer.writerow([neutralise_cell(cell) for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence], *, sheet_title: str = ""
) -> HttpResponse:
    """One named sheet (at most 31 characters, as Excel allows; "Sheet" without a name)."""
    from openpyxl import Workbook  # a third of a second to import: only for workbooks

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31].translate(_SHEET_TITLE_UNSAFE) or None)
    sheet.append([neutralise_cell(h) for h in header])
    for row in rows:
        sheet.append([neutralise_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class SafeExportIndexView(NeutralisedExportMixin, snippet_views.IndexView):
    """A listing whose export neutralises every cell, so '=HYPERLINK(…)' in a name or an
    outlet stays text in a spreadsheet, and which loads the relations its columns and
    export show in a fixed number of queries (``select`` and ``prefetch``)."""

    select: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()

    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        if self.select:
            queryset = queryset.select_related(*self.select)
        if self.prefetch:
            queryset = queryset.prefetch_related(*self.prefetch)
        return queryset
