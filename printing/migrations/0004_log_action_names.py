"""The audit-log actions renamed to the project's <app>.<thing>.<verb> scheme: the history
already recorded is rewritten, so it keeps its labels."""

from django.db import migrations
from signpost.log_actions import rename_log_actions

RENAMED = {
    "signpost.print_run": "printing.print_run.recorded",
    "signpost.print_run_ready": "printing.print_run.ready",
    "signpost.sign_put_up": "printing.sign.put_up",
    "signpost.sign_taken_down": "printing.sign.taken_down",
}


def forwards(apps, schema_editor):
    rename_log_actions(apps, RENAMED)


def backwards(apps, schema_editor):
    rename_log_actions(apps, RENAMED, backwards=True)


class Migration(migrations.Migration):
    dependencies = [
        ("printing", "0003_print_run_newsletter"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
