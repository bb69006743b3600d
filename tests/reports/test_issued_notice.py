"""An issued progress report reaches its readers: everyone who may read issued reports
(partners among them) is emailed a link to it, once, with none of its figures or
commentary; a partner is never told of, nor sent, a draft."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from signpost import roles

from reports.models import ProgressReport
from reports.services import (
    report_create,
    report_draft_monthly,
    report_issued_notify_send,
    report_update,
)

pytestmark = pytest.mark.django_db

COMMENTARY = "Leaflet drops reached every street of Eastfield in the period."


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def readers(make_user):
    return {
        "partner": make_user(roles.PARTNER_VIEWER, username="priya-partner"),
        "probation": make_user(roles.PARTNER_VIEWER, username="pete-probation"),
        "analyst": make_user(roles.ANALYST, username="alex-analyst"),
        "no-role": make_user(roles.PARTNER_VIEWER, username="left", is_active=False),
    }


@pytest.fixture
def draft(db, comms_officer):
    return report_create(
        title="Progress report: January",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        commentary=COMMENTARY,
        user=comms_officer,
    )


def told() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_issuing_emails_a_link_to_everyone_who_may_read_it(
    client, run_commits, django_user_model, comms_officer, approver, readers, draft
):
    nobody = django_user_model.objects.create_user(
        username="outsider", email="outsider@example.org", password="x"
    )
    client.force_login(comms_officer)
    response = run_commits(
        lambda: client.post(reverse("reports_admin:issue", args=[draft.pk]), follow=True)
    )
    assert "issued" in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_issued and draft.issued_notified_at is not None

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Progress report issued: January 2026"
    # The readers, and the approver (who may read it too); not the issuer, not someone
    # without the role, not a deactivated account.
    assert told() == sorted(
        [
            "priya-partner@example.org",
            "pete-probation@example.org",
            "alex-analyst@example.org",
            approver.email,
        ]
    )
    assert comms_officer.email not in told() and nobody.email not in told()
    link = f"/admin/reports/{draft.pk}/"
    assert link in message.body
    # None of the report's content travels in the email.
    assert COMMENTARY not in message.body and not message.attachments
    assert "Leaflet drops" not in message.body

    # The link opens the issued report for a partner after signing in, and for nobody
    # signed out.
    client.logout()
    assert "/admin/login/" in client.get(link)["Location"]
    client.force_login(readers["partner"])
    assert COMMENTARY in client.get(link).content.decode()


def test_a_retried_notice_sends_nothing_twice(run_commits, comms_officer, readers, draft):
    from reports.services import report_issue

    run_commits(lambda: report_issue(report=draft, user=comms_officer))
    sent = len(mail.outbox)
    assert sent == 1
    assert report_issued_notify_send(report_id=draft.pk) == 0
    assert len(mail.outbox) == sent


def test_a_partner_is_never_sent_a_draft(
    client, run_commits, comms_officer, approver, readers, draft
):
    partner = readers["partner"]
    # Drafting, editing, a monthly draft (its notice goes to communications officers),
    # and a refused attempt to issue without commentary: no partner hears of any.
    run_commits(
        lambda: report_update(
            report=draft,
            title="Progress report: January (revised)",
            period_start=draft.period_start,
            period_end=draft.period_end,
            commentary="",
        )
    )
    run_commits(lambda: report_draft_monthly(today=datetime.date(2026, 3, 10)))
    client.force_login(comms_officer)
    run_commits(lambda: client.post(reverse("reports_admin:issue", args=[draft.pk])))
    assert ProgressReport.objects.get(pk=draft.pk).status == "draft"
    # Asked directly about a draft, the notice refuses to send.
    assert report_issued_notify_send(report_id=draft.pk) == 0
    assert partner.email not in told()
    assert all(message.to == [comms_officer.email] for message in mail.outbox)
    # And the partner cannot open the draft the link would name.
    client.force_login(partner)
    assert client.get(f"/admin/reports/{draft.pk}/").status_code == 404
