"""The monthly draft on the beat schedule, its notice to communications officers, and
the admin home page's 'Communications at a glance' panel."""

import datetime

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.urls import reverse
from signpost.celery import app

from reports.models import ProgressReport
from reports.tasks import report_draft_monthly

pytestmark = pytest.mark.django_db


def test_the_monthly_draft_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-draft-monthly-report"]
    assert entry["task"] == report_draft_monthly.name
    assert entry["task"] in app.tasks
    schedule = entry["schedule"]
    assert isinstance(schedule, crontab)
    assert schedule.day_of_month == {1} and schedule.hour == {6} and schedule.minute == {0}


def test_running_the_monthly_task_twice_makes_one_draft_and_one_notice(
    comms_officer, approver, partner_viewer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = report_draft_monthly.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        second = report_draft_monthly.delay().get()
    assert first == second
    report = ProgressReport.objects.get()
    assert report.is_monthly and report.status == "draft"
    assert report.period_start.day == 1
    assert report.period_end + datetime.timedelta(days=1) == datetime.date.today().replace(day=1)
    assert report.ready_notified_at is not None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [comms_officer.email]
    assert report.period_label() in message.subject
    assert reverse("reports_admin:report", args=[report.pk]) in message.body


def test_the_monthly_draft_for_a_given_day_covers_the_month_before(comms_officer):
    from reports.services import report_draft_monthly

    report = report_draft_monthly(today=datetime.date(2026, 3, 1))
    assert (report.period_start, report.period_end) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 28),
    )
    assert report.title == "Progress report: February 2026"


def test_the_home_page_shows_communications_at_a_glance(client, partner_viewer, initiative_data):
    client.force_login(partner_viewer)
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Communications at a glance" in page
    assert page.count("Communications at a glance") == 1
    assert reverse("reports_admin:dashboard") in page
    # Three signs per size-3 data set are overdue: counted here, listed by the printing panel.
    assert "<strong>3</strong> signs overdue to come down" in page
    assert "Signs overdue to come down</h2>" not in page  # partners do not log signs


def test_the_glance_panel_keeps_a_fixed_query_budget(
    client, comms_officer, initiative_data, django_assert_max_num_queries, today
):
    from .conftest import build_initiative_data

    client.force_login(comms_officer)
    client.get(reverse("wagtailadmin_home"))
    with django_assert_max_num_queries(80) as small:
        client.get(reverse("wagtailadmin_home"))
    build_initiative_data(10, today=today, tag="more")
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("wagtailadmin_home"))
