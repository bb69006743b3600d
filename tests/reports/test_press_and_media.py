"""The dashboard's and report's press and media section: press releases through
sign-off and embargo, media enquiries against the outlet's deadline, and the
communication plan, counted independently of the selectors from the demo data."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from engagement.models import (
    CommunicationPlanPage,
    MediaEnquiry,
    PressReleaseMailing,
    PressReleasePage,
)
from reports.periods import Period
from reports.selectors import report_figures
from reports.services import report_create, report_issue

from .test_reports_admin import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, today):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return today


def _independent_release_counts(period: Period) -> dict:
    published = awaiting = embargoed = 0
    now = timezone.now()
    for release in PressReleasePage.objects.all():
        first = release.first_published_at
        if release.live and first and period.start_at <= first < period.end_before:
            published += 1
        state = release.workflow_states.filter(status="in_progress").first()
        if state is not None:
            awaiting += 1
        if any(
            r.approved_go_live_at and r.approved_go_live_at > now for r in release.revisions.all()
        ):
            embargoed += 1
    return {"published": published, "awaiting_sign_off": awaiting, "embargoed": embargoed}


def test_press_release_figures_match_the_demo_newsroom(demo, today):
    period = Period.last_days(30, today)
    releases = report_figures(period, today=today)["communications"]["releases"]
    expected = _independent_release_counts(period)
    assert {k: releases[k] for k in expected} == expected
    # The demo newsroom: one release published, one in sign-off, one signed off under embargo.
    assert expected == {"published": 1, "awaiting_sign_off": 1, "embargoed": 1}
    assert [r["title"] for r in releases["latest"]] == [
        r.title
        for r in PressReleasePage.objects.live().order_by("-first_published_at")
        if period.start_at <= r.first_published_at < period.end_before
    ]
    assert (
        releases["mailings_sent"]
        == PressReleaseMailing.objects.filter(sent_at__gte=period.start_at).count()
    )


def test_media_enquiry_figures_match_an_independent_count(demo, today):
    now = timezone.now()
    # One answered after its deadline, one open and overdue, one received long ago.
    MediaEnquiry.objects.create(
        outlet="Late Gazette",
        journalist="A. Reporter",
        question="Late answer?",
        received_at=now - datetime.timedelta(days=5),
        deadline=now - datetime.timedelta(days=4),
        status=MediaEnquiry.Status.ANSWERED,
        response="Answered late.",
        responded_at=now - datetime.timedelta(days=3),
    )
    MediaEnquiry.objects.create(
        outlet="Overdue FM",
        journalist="B. Producer",
        question="Still waiting?",
        received_at=now - datetime.timedelta(days=2),
        deadline=now - datetime.timedelta(hours=1),
    )
    MediaEnquiry.objects.create(
        outlet="Old Times",
        journalist="C. Columnist",
        question="Last year?",
        received_at=now - datetime.timedelta(days=400),
        deadline=now - datetime.timedelta(days=399),
        status=MediaEnquiry.Status.DECLINED,
        response="Declined.",
        responded_at=now - datetime.timedelta(days=399),
    )
    period = Period.last_days(30, today)
    enquiries = report_figures(period, today=today)["communications"]["enquiries"]

    in_period = [
        e
        for e in MediaEnquiry.objects.all()
        if period.start_at <= e.received_at < period.end_before
    ]
    answered = [e for e in in_period if e.responded_at]
    on_time = [e for e in answered if e.responded_at <= e.deadline]
    still_open = [e for e in MediaEnquiry.objects.all() if e.is_open]
    assert enquiries["received"] == len(in_period)
    assert enquiries["responded"] == len(answered)
    assert enquiries["on_time"] == len(on_time)
    assert enquiries["late"] == len(answered) - len(on_time) >= 1
    assert enquiries["open"] == len(still_open)
    assert enquiries["overdue"] == sum(1 for e in still_open if e.is_overdue) >= 1
    assert enquiries["on_time_rate"] == round(100 * len(on_time) / len(answered), 1)
    assert "Old Times" not in {e.outlet for e in in_period}


def test_the_plan_summary_is_the_published_plans(demo, today):
    plan = CommunicationPlanPage.objects.live().get()
    summary = report_figures(Period.last_days(30, today), today=today)["communications"]["plan"]
    assert summary == {
        "title": plan.title,
        "review_date": plan.review_date.isoformat(),
        "review_due": plan.review_date <= today,
        "key_messages": len(plan.key_messages),
        "channels": len(plan.channels),
        "spokesperson": plan.spokesperson_name,
    }
    assert summary["key_messages"] >= 3 and summary["channels"] >= 3

    plan.review_date = today - datetime.timedelta(days=1)
    plan.save_revision().publish()
    summary = report_figures(Period.last_days(30, today), today=today)["communications"]["plan"]
    assert summary["review_due"] is True


def test_a_report_as_at_a_past_day_counts_what_was_overdue_that_day(db, today):
    received = timezone.now() - datetime.timedelta(days=10)
    MediaEnquiry.objects.create(
        outlet="Echo",
        journalist="Reporter",
        question="Due in five days from receipt",
        received_at=received,
        deadline=received + datetime.timedelta(days=5),
    )
    before_deadline = (received + datetime.timedelta(days=2)).date()
    past = report_figures(Period.last_days(30, before_deadline), today=before_deadline)
    now = report_figures(Period.last_days(30, today), today=today)
    assert past["communications"]["enquiries"]["overdue"] == 0
    assert now["communications"]["enquiries"]["overdue"] == 1


def test_the_dashboard_shows_press_and_media_and_names_overdue_enquiries_to_their_handlers(
    client, demo, comms_officer, partner_viewer
):
    overdue = MediaEnquiry.objects.create(
        outlet="Overdue FM",
        journalist="B. Producer",
        question="Still waiting?",
        received_at=timezone.now() - datetime.timedelta(days=2),
        deadline=timezone.now() - datetime.timedelta(hours=1),
    )
    client.force_login(comms_officer)
    page = client.get(reverse("reports_admin:dashboard")).content.decode()
    assert 'id="dash-media">Press and media</h2>' in page
    assert reverse("wagtailsnippets_engagement_mediaenquiry:edit", args=[overdue.pk]) in page
    overdue_count = MediaEnquiry.objects.overdue().count()
    assert f"<strong>{overdue_count}</strong> media enquir" in page
    # The first tile counts the register's overdue actions, and says so.
    assert "stakeholder action" in page and "stakeholder follow-up" not in page
    # The demo plan is reviewed in 60 days: not due yet.
    assert "Next review" in page and "Review due since" not in page

    client.force_login(partner_viewer)
    page = client.get(reverse("reports_admin:dashboard")).content.decode()
    assert 'id="dash-media">Press and media</h2>' in page
    assert f"<strong>{overdue_count}</strong> media enquir" in page
    assert "Overdue FM" not in page  # counts only: partners do not see the media log


def _issue_report(user, today, commentary):
    period = Period.last_days(30, today)
    report = report_create(
        title="Progress report: the last 30 days",
        period_start=period.start,
        period_end=period.end,
        commentary=commentary,
        user=user,
    )
    return report_issue(report=report, user=user)


def test_the_issued_report_and_its_pdf_have_the_press_and_media_section(demo, comms_officer, today):
    report = _issue_report(comms_officer, today, "The newsroom answered every enquiry.")
    figures = report.figures["communications"]
    assert figures["releases"]["published"] == 1
    text = " ".join(pdf_text(report.pdf.open("rb").read()).split())
    assert "Press and media" in text
    assert "Media enquiries open past the outlet's deadline" in text
    assert f"{figures['releases']['published']} press release published in the period" in text
    assert "Communication plan" in text


def test_a_report_issued_before_the_section_existed_still_opens(client, comms_officer, today):
    report = _issue_report(comms_officer, today, "Issued before press figures were kept.")
    figures = dict(report.figures)
    figures.pop("communications")
    type(report).objects.filter(pk=report.pk).update(figures=figures)
    client.force_login(comms_officer)
    response = client.get(reverse("reports_admin:report", args=[report.pk]))
    assert response.status_code == 200
    assert "Issued before press figures were kept." in response.content.decode()
    assert "Press and media" not in response.content.decode()
