"""Exports of the stakeholder register and the engagement log that stay flat as they grow.

Wagtail's listing export reads the whole queryset into memory and, with the listing's
``prefetch_related``, fetches the related names for every row. Here the rows are read
through a server-side cursor ``EXPORT_CHUNK_SIZE`` at a time, each chunk's related names
(a register's areas, a log entry's stakeholders and themes) come in one grouped query per
relation for the whole chunk (``selectors.*_names``), and a workbook is written to a
temporary file rather than held in memory: a fixed number of queries per chunk, nothing
looked up row by row, and a flat memory at any size.
"""

import itertools
import tempfile
from collections.abc import Callable, Iterable

from django.db.models import QuerySet
from django.http import FileResponse
from signpost import exports

# Names for a chunk of rows: row ids in, each row's names joined ", " out (absent: none).
NamesForRows = Callable[[list[int]], dict[int, str]]


class _Rows:
    """A queryset read in chunks, each chunk given its rows' names before it is written,
    with the ``model`` Wagtail's headings look up."""

    def __init__(self, queryset: QuerySet, names: dict[str, NamesForRows]):
        self.model = queryset.model
        self._queryset = queryset
        self._names = names

    def __iter__(self) -> Iterable:
        chunk_size = exports.EXPORT_CHUNK_SIZE  # read now, so a setting changed later holds
        rows = self._queryset.iterator(chunk_size=chunk_size)
        while chunk := list(itertools.islice(rows, chunk_size)):
            ids = [row.pk for row in chunk]
            for attribute, names_for in self._names.items():
                names = names_for(ids)
                for row in chunk:
                    setattr(row, attribute, names.get(row.pk, ""))
            yield from chunk


class StreamedExportMixin:
    """For a ``SafeExportIndexView``: ``export_queryset`` adds what the export's columns
    read from the row itself (``select_related``), and ``export_names`` says which
    attribute of a row carries which related names (``{"areas_joined":
    selectors.stakeholder_area_names}``), looked up a chunk at a time, so no column runs a
    query of its own."""

    export_names: dict[str, NamesForRows] = {}

    def export_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if isinstance(queryset, QuerySet):
            # The listing's prefetches would run once per chunk; the chunk's names replace them.
            queryset = _Rows(
                self.export_queryset(queryset.prefetch_related(None)), self.export_names
            )
        return super().as_spreadsheet(queryset, spreadsheet_format)

    def write_xlsx_response(self, queryset):
        output = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
        self.write_xlsx(queryset, output)
        output.seek(0)
        return FileResponse(
            output,
            as_attachment=True,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=f"{self.get_filename()}.xlsx",
        )
