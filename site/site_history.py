"""Wagtail's site history report, with an export that reads the audit log in one query.

Wagtail's own export (``LogEntriesView``) loads every entry the filters match, then each
entry's object and its edit address (``with_instances()``, a permission check a row), and
only then writes the file: at 600,000 entries that is minutes and a process full of rows.
The export needs none of that: here each log model gives the six columns with its user
joined, the models are joined with ``UNION ALL`` as Wagtail does for the listing, and the
rows are streamed as they come. The listing, its filters, the columns, headings and cell
values are Wagtail's; only the way there changes, and the listing's count stops at a
bound (``signpost.pagination``).
"""

from collections import OrderedDict

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import CharField, F, IntegerField, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext, gettext_lazy
from wagtail.admin.auth import require_admin_access
from wagtail.admin.filters import ContentTypeFilter
from wagtail.admin.views.reports.audit_logging import (
    LogEntriesView,
    SiteHistoryReportFilterSet,
    get_content_types_for_filter,
)
from wagtail.log_actions import registry as log_action_registry
from wagtail.users.utils import get_deleted_user_display_name

from .exports import NeutralisedExportMixin
from .pagination import BoundedCountMixin


def distinct_logged(log_model, column: str) -> set:
    """The distinct values of an indexed column of a log, read by walking its index from
    one value to the next (a probe per value) rather than reading every entry: the
    filters' choices cost the same with a force's 600,000 entries as with a few."""
    table = connection.ops.quote_name(log_model._meta.db_table)
    field = connection.ops.quote_name(log_model._meta.get_field(column).column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE walk(value) AS (
                SELECT MIN({field}) FROM {table}
                UNION ALL
                SELECT (SELECT MIN({field}) FROM {table} WHERE {field} > walk.value)
                FROM walk WHERE walk.value IS NOT NULL
            )
            SELECT value FROM walk WHERE value IS NOT NULL
            """  # noqa: S608 (the table and column are the model's own, quoted)
        )
        return {row[0] for row in cursor.fetchall()}


def logged_content_types(user):
    if not user.is_superuser:  # what the user may see is Wagtail's to work out
        return get_content_types_for_filter(user)
    ids = set()
    for log_model in log_action_registry.get_log_entry_models():
        ids |= distinct_logged(log_model, "content_type")
    return ContentType.objects.filter(pk__in=ids).order_by("model")


class SiteHistoryFilterSet(SiteHistoryReportFilterSet):
    """Wagtail's filters, with the choices of type and action read from the log's
    indexes for those who may see the whole log."""

    object_type = ContentTypeFilter(
        label=gettext_lazy("Type"),
        method="filter_object_type",
        queryset=lambda request: logged_content_types(request.user),
    )

    def get_action_choices(self):
        if not self.request.user.is_superuser:
            return super().get_action_choices()
        actions = set()
        for log_model in log_action_registry.get_log_entry_models():
            actions |= distinct_logged(log_model, "action")
        return [choice for choice in log_action_registry.get_choices() if choice[0] in actions]


class SiteHistoryView(BoundedCountMixin, NeutralisedExportMixin, LogEntriesView):
    count_names = (gettext_lazy("log entry"), gettext_lazy("log entries"))
    filterset_class = SiteHistoryFilterSet
    export_always_prepared = True  # tens of thousands of entries a month at a force

    def get_filtered_queryset(self):
        if self.is_export:
            return self.export_queryset()
        return super().get_filtered_queryset()

    def export_queryset(self):
        """The filtered entries of every log model, newest first, each row carrying its
        columns and its user's names (a left join: a deleted user has none)."""
        self._log_models = list(log_action_registry.get_log_entry_models())
        username = get_user_model().USERNAME_FIELD
        queryset = None
        for index, log_model in enumerate(self._log_models):
            # Page entries name their page by ``page_id``; other models by ``object_id``
            # (text). The same columns, under names of their own, for both halves.
            object_id = F("object_id") if self._has_object_id(log_model) else F("page_id")
            entries = log_model.objects.viewable_by_user(self.request.user).values(
                export_object_id=Cast(object_id, CharField()),
                export_label=F("label"),
                export_content_type_id=F("content_type_id"),
                export_action=F("action"),
                export_user_id=F("user_id"),
                export_first_name=F("user__first_name"),
                export_last_name=F("user__last_name"),
                export_username=F(f"user__{username}"),
                export_timestamp=F("timestamp"),
                export_log_model_index=Value(index, output_field=IntegerField()),
            )
            entries = self.filter_queryset(entries).order_by()
            queryset = entries if queryset is None else queryset.union(entries, all=True)
        return queryset.order_by("-export_timestamp")

    @staticmethod
    def _has_object_id(log_model) -> bool:
        return any(field.name == "object_id" for field in log_model._meta.concrete_fields)

    def to_row_dict(self, item):
        content_type_id = item["export_content_type_id"]
        object_id = item["export_object_id"]
        if not self._has_object_id(self._log_models[item["export_log_model_index"]]):
            object_id = int(object_id)  # a page's id, a number as Wagtail writes it
        return OrderedDict(
            object_id=object_id,
            label=item["export_label"],
            # Content types come from Django's cache: no query a row.
            content_type=ContentType.objects.get_for_id(content_type_id)
            if content_type_id
            else None,
            action=item["export_action"],
            user_display_name=self._user_display_name(item),
            timestamp=item["export_timestamp"],
        )

    def _user_display_name(self, item):
        # As ``BaseLogEntry.user_display_name`` words it, from the joined columns.
        if not item["export_user_id"]:
            return gettext("system")
        username = item["export_username"]
        if username is None:
            return get_deleted_user_display_name(item["export_user_id"])
        full_name = f"{item['export_first_name'] or ''} {item['export_last_name'] or ''}".strip()
        return full_name or username


site_history_view = require_admin_access(SiteHistoryView.as_view())
