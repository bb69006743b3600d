"""Print runs and signs are logged as printing.<thing>.<verb>. History recorded under the
older names ("signpost.print_run"…) is renamed by migration 0004, so the site history
still says what happened instead of "Unknown signpost.print_run"."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import ModelLogEntry

from printing.models import PrintFormat, PrintRun, QRTarget, Sign

pytestmark = pytest.mark.django_db

migration = importlib.import_module("printing.migrations.0004_log_action_names")

LABELS = {
    "printing.print_run.recorded": "Print run recorded",
    "printing.print_run.ready": "Print-ready PDF rendered",
    "printing.sign.put_up": "Sign put up",
    "printing.sign.taken_down": "Sign taken down",
}


@pytest.fixture
def old_history(operation, area, neighbourhood_officer):
    """One entry under each old name, as the admin wrote them before the rename."""
    run = PrintRun.objects.create(
        operation=operation,
        area=area,
        format=PrintFormat.A4_SIGN,
        quantity=1,
        qr_target=QRTarget.SIGNUP,
        created_by=neighbourhood_officer,
    )
    sign = Sign.objects.create(print_run=run, number=1)
    # Written as rows, not through save(): the old names are no longer registered actions.
    ModelLogEntry.objects.bulk_create(
        ModelLogEntry(
            content_type=ContentType.objects.get_for_model(instance),
            object_id=str(instance.pk),
            label=str(instance),
            action=old,
            user=neighbourhood_officer,
            timestamp=timezone.now(),
        )
        for old, instance in zip(migration.RENAMED, [run, run, sign, sign], strict=True)
    )
    return run


def actions() -> set[str]:
    return set(ModelLogEntry.objects.values_list("action", flat=True))


def test_the_migration_renames_recorded_history_and_back(old_history):
    assert actions() == set(migration.RENAMED)
    migration.forwards(apps, None)
    assert actions() == set(LABELS)
    migration.backwards(apps, None)
    assert actions() == set(migration.RENAMED)


def test_renamed_history_shows_its_labels(client, superuser, old_history):
    client.force_login(superuser)
    history = client.get("/admin/reports/site-history/").content.decode()
    assert "Unknown signpost.print_run" in history  # what the rename saves it from
    migration.forwards(apps, None)
    history = client.get("/admin/reports/site-history/").content.decode()
    assert "Unknown" not in history
    for label in LABELS.values():
        assert label in history
    assert {e.message for e in ModelLogEntry.objects.all()} == set(LABELS.values())
