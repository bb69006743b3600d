"""The audit-log actions renamed to the project's <app>.<thing>.<verb> scheme: the history
already recorded is rewritten, so it keeps its labels."""

from django.db import migrations

RENAMED = {
    "signpost.print_run": "printing.print_run.recorded",
    "signpost.print_run_ready": "printing.print_run.ready",
    "signpost.sign_put_up": "printing.sign.put_up",
    "signpost.sign_taken_down": "printing.sign.taken_down",
}


def rename_actions(apps, renamed: dict[str, str]) -> None:
    for label in ("wagtailcore.ModelLogEntry", "wagtailcore.PageLogEntry"):
        log_entry = apps.get_model(label)
        for old, new in renamed.items():
            log_entry.objects.filter(action=old).update(action=new)


def forwards(apps, schema_editor):
    rename_actions(apps, RENAMED)


def backwards(apps, schema_editor):
    rename_actions(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("printing", "0003_print_run_newsletter"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
