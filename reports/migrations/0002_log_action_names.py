"""The audit-log actions renamed to the project's <app>.<thing>.<verb> scheme: the history
already recorded is rewritten, so it keeps its labels."""

from django.db import migrations
from signpost.log_actions import rename_log_actions

RENAMED = {"reports.issue": "reports.report.issued"}


def forwards(apps, schema_editor):
    rename_log_actions(apps, RENAMED)


def backwards(apps, schema_editor):
    rename_log_actions(apps, RENAMED, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
