"""Exports of the stakeholder register and the engagement log that stay flat as they grow.

Wagtail's listing export reads the whole queryset into memory and, with the listing's
``prefetch_related``, fetches the related names for every row. Here the rows are read
through a server-side cursor in chunks, each row's related names come with it as one
joined column (``selectors.*_for_export``), and a workbook is written to a temporary
file rather than held in memory: the same few queries and a flat memory at any size.
"""

import tempfile

from django.db.models import QuerySet
from django.http import FileResponse


class _Rows:
    """A queryset read in chunks, with the ``model`` Wagtail's headings look up."""

    def __init__(self, queryset: QuerySet, chunk_size: int):
        self.model = queryset.model
        self._queryset = queryset
        self._chunk_size = chunk_size

    def __iter__(self):
        return self._queryset.iterator(chunk_size=self._chunk_size)


class StreamedExportMixin:
    """For a ``SafeExportIndexView``: ``export_queryset`` adds what the export's columns
    read, so no column runs a query of its own."""

    export_chunk_size = 2000

    def export_queryset(self, queryset: QuerySet) -> QuerySet:
        return queryset

    def as_spreadsheet(self, queryset, spreadsheet_format):
        if isinstance(queryset, QuerySet):
            # The listing's prefetches would run once per chunk; the joined columns replace them.
            queryset = _Rows(
                self.export_queryset(queryset.prefetch_related(None)), self.export_chunk_size
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
