"""An index for the history of one object in Wagtail's model log.

Every snippet's edit page says when it was last changed, and its history page lists its
log, newest first: both ask the log for one object's entries (``content_type_id`` and
``object_id``) ordered by ``timestamp`` and ``id``. Wagtail indexes each of those columns
alone, so with a force's log (hundreds of thousands of entries, tens of thousands for the
engagement log alone) PostgreSQL walks the whole log backwards by time, or every entry of
the model, to find one object's latest. This index answers it with one probe at any size.
The table is Wagtail's, so the index is written in SQL (plain b-tree: PostgreSQL and SQLite).
"""

from django.db import migrations

INDEX = "modellogentry_object_newest_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("signpost", "0007_prepared_export"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_modellogentry "
            '(content_type_id, object_id, "timestamp" DESC, id DESC)',
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
