"""Indexes for the subscriber register at a force's size (a million rows): newest first
for its opening page, and trigram indexes for its search.

The admin's search asks ``UPPER(column) LIKE UPPER('%words%')`` of the address, name and
postcode (Django's ``icontains``), which no b-tree can answer: on PostgreSQL a trigram
(``pg_trgm``) GIN index on each expression turns the search and its count from a scan of
every subscriber into three index lookups. SQLite (the embedded default) has no such
index and a small register needs none, so there they are skipped.
"""

from django.db import migrations, models

SEARCHED = ("email", "name", "postcode")


def trigram_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS subscriber_{column}_trgm ON newsletters_subscriber "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def trigram_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS subscriber_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0007_merge_reviews_and_welcome"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="subscriber",
            index=models.Index(fields=["-created_at"], name="subscriber_newest_first"),
        ),
        migrations.RunPython(trigram_indexes_create, trigram_indexes_drop),
    ]
