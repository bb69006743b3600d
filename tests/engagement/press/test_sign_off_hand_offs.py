"""A release's sign-off reaches the next person. After each step the admin says what
happened and who is next ("Approved step 1 of 2; Ana Spokesperson signs next"); the
approvers who may sign a step that opens are emailed (never the submitter or the first
signer), and the author is told of each decision, a request for changes with its comment.
Signpost sends these in place of Wagtail's own workflow emails, so nobody gets two."""

import json

import pytest
from django.core import mail
from django.urls import reverse
from signpost import roles

from engagement.models import PressReleaseNotice
from engagement.press.selectors import press_release_progress_text
from engagement.press.services import press_release_notice_send

from .conftest import release_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(make_user):
    return {
        "author": make_user(
            roles.COMMUNICATIONS_OFFICER, username="nadia", first_name="Nadia", last_name="Okoro"
        ),
        "colin": make_user(
            roles.APPROVER, username="colin", first_name="Colin", last_name="Ordinator"
        ),
        "ana": make_user(
            roles.APPROVER, username="ana", first_name="Ana", last_name="Spokesperson"
        ),
        "partner": make_user(roles.PARTNER_VIEWER, username="priya"),
    }


@pytest.fixture
def release(make_release, team):
    return make_release(title="Arrests close dealing site", owner=team["author"])


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def edit(client, release, action, **data):
    release.refresh_from_db()
    form = release_form_data(release, **data)
    form[action] = "true"
    return client.post(reverse("wagtailadmin_pages:edit", args=[release.pk]), form, follow=True)


def decide(client, release, name, comment="", **data):
    extra = {"workflow-action-name": name, **data}
    if comment:
        extra["workflow-action-extra-data"] = json.dumps({"comment": comment})
    return edit(client, release, "action-workflow-action", **extra)


def outbox():
    return sorted((tuple(sorted(m.to)), m.subject) for m in mail.outbox)


def page_text(response) -> str:
    return " ".join(response.content.decode().split())


def test_each_step_says_who_is_next_and_emails_them(client, run_commits, team, release):
    author, colin, ana = team["author"], team["colin"], team["ana"]
    title = "Arrests close dealing site"

    client.force_login(author)
    response = run_commits(lambda: edit(client, release, "action-submit"))
    assert (
        "Submitted for sign-off: Ana Spokesperson or Colin Ordinator signs step 1 of 2 "
        "(Co-ordinator review)." in page_text(response)
    )
    # Only the approvers who may sign; not the author, not the partner; one email each
    # way (Wagtail's own "submitted" emails are not sent on top).
    assert outbox() == [
        (("ana@example.org", "colin@example.org"), f"Sign-off needed (step 1 of 2): {title}")
    ]
    assert "submitted by Nadia Okoro" in mail.outbox[0].body

    mail.outbox.clear()
    client.force_login(colin)
    # The dashboard's Approve button (the editor's is below, for the last step).
    release.refresh_from_db()
    step_one = release.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[release.pk, "approve", step_one.pk])
    approved = run_commits(lambda: client.post(url, {"comment": ""}))
    assert approved.status_code == 302
    step_one.refresh_from_db()
    said = (
        "Approved step 1 of 2; Ana Spokesperson signs next (Spokesperson approval). "
        "They have been emailed."
    )
    assert press_release_progress_text(step_one) == said
    # The dashboard's button lands on a page that says so too, as the editor does.
    landing = client.get(approved["Location"], follow=True)
    assert landing.redirect_chain[-1][0] == reverse("wagtailadmin_home")
    assert said in page_text(landing)
    # Anyone else opening that address is told nothing about the release.
    client.force_login(team["partner"])
    assert "signs next" not in page_text(client.get(approved["Location"], follow=True))
    client.force_login(colin)
    # Ana alone is asked for step 2 (Colin signed step 1); Nadia is told.
    assert outbox() == [
        (("ana@example.org",), f"Sign-off needed (step 2 of 2): {title}"),
        (("nadia@example.org",), f"Step 1 of 2 approved: {title}"),
    ]
    told_author = next(m for m in mail.outbox if m.to == ["nadia@example.org"])
    assert "Colin Ordinator approved step 1 of 2 (Co-ordinator review)" in told_author.body
    assert "Ana Spokesperson signs next (Spokesperson approval)" in told_author.body

    mail.outbox.clear()
    client.force_login(ana)
    response = run_commits(lambda: decide(client, release, "approve"))
    assert "Approved step 2 of 2: the release is signed off and published." in page_text(response)
    release.refresh_from_db()
    assert release.live
    # Nadia is told once, by Signpost (no Wagtail "approved" email beside it); media
    # contacts' "Press release:" emails are another matter (none in this test).
    assert outbox() == [(("nadia@example.org",), f"Step 2 of 2 approved: {title}")]
    assert "The release is signed off and published." in mail.outbox[0].body
    assert PressReleaseNotice.objects.filter(notified_at__isnull=True).count() == 0


def test_changes_requested_reach_the_author_with_the_comment(client, run_commits, team, release):
    client.force_login(team["author"])
    run_commits(lambda: edit(client, release, "action-submit"))
    mail.outbox.clear()

    client.force_login(team["colin"])
    response = run_commits(
        lambda: decide(client, release, "reject", comment="Take out the street name.")
    )
    assert (
        "Changes requested at step 1 of 2 (Co-ordinator review). The author has been told, "
        "with your comment." in page_text(response)
    )
    assert outbox() == [(("nadia@example.org",), "Changes requested: Arrests close dealing site")]
    body = mail.outbox[0].body
    assert "Colin Ordinator asked for changes" in body and "Take out the street name." in body


def test_a_retried_notice_sends_nothing_twice(run_commits, team, release):
    run_commits(lambda: release.get_workflow().start(release, team["author"]))
    notice = PressReleaseNotice.objects.get(kind=PressReleaseNotice.Kind.STEP_OPEN)
    sent = len(mail.outbox)
    assert sent == 1
    assert press_release_notice_send(notice_id=notice.pk) == 0
    assert len(mail.outbox) == sent


def test_a_step_decided_before_its_email_went_asks_nobody(run_commits, team, release):
    """The email to sign a step is not sent once the step is no longer open."""
    from tests.factories import press_release_sign_off

    press_release_sign_off(
        release, submitted_by=team["author"], reviewed_by=team["colin"], approved_by=team["ana"]
    )
    for notice in PressReleaseNotice.objects.filter(kind=PressReleaseNotice.Kind.STEP_OPEN):
        assert press_release_notice_send(notice_id=notice.pk) == 0
    assert not [m for m in mail.outbox if m.subject.startswith("Sign-off needed")]


def test_approving_with_changes_in_the_editor_says_it_is_signed_again(
    client, run_commits, team, release
):
    """The editor saves the form as it approves; a changed release starts again."""
    client.force_login(team["author"])
    run_commits(lambda: edit(client, release, "action-submit"))
    mail.outbox.clear()
    client.force_login(team["colin"])
    response = run_commits(
        lambda: decide(client, release, "approve", summary="Police closed two dealing sites.")
    )
    assert (
        "Approved step 1 of 2, with changes, so the changed release is signed again from "
        "step 1 of 2 (Co-ordinator review); Ana Spokesperson signs next." in page_text(response)
    )
    subjects = sorted(m.subject for m in mail.outbox)
    assert subjects == [
        "Sign-off needed (step 1 of 2): Arrests close dealing site",
        "Step 1 of 2 approved: Arrests close dealing site",
    ]
    asked = next(m for m in mail.outbox if m.subject.startswith("Sign-off needed"))
    assert asked.to == ["ana@example.org"]  # Colin wrote the new version: not him


def test_other_pages_keep_wagtails_own_workflow_emails(run_commits, team, home):
    """Only press releases' sign-off emails are Signpost's; a page under another
    workflow is still announced by Wagtail, to its group."""
    from django.contrib.auth.models import Group
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

    from tests.newsletters.factories import make_newsletter

    newsletter = make_newsletter(title="Spring update", publish=False)
    workflow = Workflow.objects.create(name="Newsletter review")
    task = GroupApprovalTask.objects.create(name="Read it through")
    task.groups.set([Group.objects.get(name=roles.APPROVER)])
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    run_commits(lambda: workflow.start(newsletter, team["author"]))
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "ana@example.org",
        "colin@example.org",
    ]
    assert not PressReleaseNotice.objects.exists()
