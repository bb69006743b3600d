"""Each area's confirmed subscribers, kept by triggers on the subscriber table
(``AreaSubscriberCount``), so the figure is read from fifty rows rather than counted from
a million on every view of the admin home, the dashboard and a report.

Statement-level triggers read the rows a statement changed (transition tables), so a bulk
import of a hundred thousand subscribers adds to the counts once, not a hundred thousand
times. The counts are taken from the register with the table locked against writes, so
none is missed between the count and the first trigger. SQLite (the embedded default)
gets the table but no triggers: it counts its small register directly.
"""

from django.db import migrations, models

COUNTS = "newsletters_areasubscribercount"
SUBSCRIBERS = "newsletters_subscriber"

# (trigger event, the rows that count for, the rows that count against)
EVENTS = {
    "insert": ("new_rows", None),
    "update": ("new_rows", "old_rows"),
    "delete": (None, "old_rows"),
}


def _function(event: str, added: str | None, removed: str | None) -> str:
    parts = []
    if added:
        parts.append(
            f"SELECT coalesce(area_id, 0) AS area_key, 1 AS change FROM {added} "
            "WHERE status = 'confirmed'"
        )
    if removed:
        parts.append(
            f"SELECT coalesce(area_id, 0) AS area_key, -1 AS change FROM {removed} "
            "WHERE status = 'confirmed'"
        )
    referencing = " ".join(
        f"{kind} TABLE AS {name}"
        for kind, name in (("NEW", added), ("OLD", removed))
        if name
    )
    return f"""
CREATE OR REPLACE FUNCTION {COUNTS}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {COUNTS} AS counts (area_key, subscribed)
    SELECT area_key, sum(change) FROM ({" UNION ALL ".join(parts)}) AS changes
    GROUP BY area_key HAVING sum(change) <> 0 ORDER BY area_key
    ON CONFLICT (area_key) DO UPDATE SET subscribed = counts.subscribed + excluded.subscribed;
    RETURN NULL;
END $$;
CREATE TRIGGER {COUNTS}_{event} AFTER {event.upper()} ON {SUBSCRIBERS}
REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {COUNTS}_{event}();
"""


RECOUNT = f"""
LOCK TABLE {SUBSCRIBERS} IN SHARE ROW EXCLUSIVE MODE;
DELETE FROM {COUNTS};
INSERT INTO {COUNTS} (area_key, subscribed)
SELECT coalesce(area_id, 0), count(*) FROM {SUBSCRIBERS} WHERE status = 'confirmed' GROUP BY 1;
"""


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event, (added, removed) in EVENTS.items():
        schema_editor.execute(_function(event, added, removed))
    schema_editor.execute(f"""
CREATE OR REPLACE FUNCTION {COUNTS}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {COUNTS};
    RETURN NULL;
END $$;
CREATE TRIGGER {COUNTS}_truncate AFTER TRUNCATE ON {SUBSCRIBERS}
FOR EACH STATEMENT EXECUTE FUNCTION {COUNTS}_truncate();
""")
    schema_editor.execute(RECOUNT)


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in (*EVENTS, "truncate"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {COUNTS}_{event} ON {SUBSCRIBERS}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {COUNTS}_{event}()")


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0009_merge_languages_and_listing_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="AreaSubscriberCount",
            fields=[
                ("area_key", models.IntegerField(primary_key=True, serialize=False)),
                ("subscribed", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="subscriber",
            index=models.Index(fields=["confirmed_at"], name="subscriber_confirmed_at"),
        ),
        migrations.AddIndex(
            model_name="subscriber",
            index=models.Index(fields=["unsubscribed_at"], name="subscriber_unsubscribed_at"),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
