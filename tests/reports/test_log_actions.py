"""An issued report is logged as "reports.report.issued". History recorded under the older
name "reports.issue" is renamed by migration 0002, so the site history still says
"Progress report issued" instead of "Unknown reports.issue"."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from wagtail.models import ModelLogEntry

from reports.models import ProgressReport

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reports.migrations.0002_log_action_names")


@pytest.fixture
def old_history(comms_officer):
    report = ProgressReport.objects.create(
        title="Progress report: January",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        created_by=comms_officer,
    )
    # Written as a row, not through save(): the old name is no longer a registered action.
    [entry] = ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=ContentType.objects.get_for_model(report),
                object_id=str(report.pk),
                label=str(report),
                action="reports.issue",
                user=comms_officer,
                timestamp=timezone.now(),
            )
        ]
    )
    return entry


def test_the_migration_renames_recorded_history_and_back(old_history):
    migration.forwards(apps, None)
    old_history.refresh_from_db()
    assert old_history.action == "reports.report.issued"
    migration.backwards(apps, None)
    old_history.refresh_from_db()
    assert old_history.action == "reports.issue"


def test_renamed_history_shows_its_label(client, superuser, old_history):
    client.force_login(superuser)
    assert "Unknown reports.issue" in client.get("/admin/reports/site-history/").text
    migration.forwards(apps, None)
    history = client.get("/admin/reports/site-history/").text
    assert "Progress report issued" in history and "Unknown" not in history
