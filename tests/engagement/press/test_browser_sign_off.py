"""A release goes from draft through both sign-offs to publication, in a real browser,
with the embargo set by the spokesperson as she approves the second step."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagement.models import PressReleasePage
from engagement.tasks import pages_publish_scheduled

pytestmark = pytest.mark.browser


def left_the_editor(page):
    """After submitting or approving, Wagtail sends the user back to the page listing."""
    page.wait_for_url(lambda url: "/edit/" not in url, timeout=60_000)


def open_more_actions(page):
    # The workflow buttons work through the editor's scripts: let them load first.
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="More actions").click()


def test_release_from_draft_through_both_approvals_to_publication(
    page, admin_login, live_site, make_release, comms_officer, approver, spokesperson
):
    release = make_release(title="Canal Quarter dealing site closed")
    edit_url = f"/admin/pages/{release.pk}/edit/"

    # The communications officer finishes the draft and submits it; there is no publish.
    admin_login(page, comms_officer)
    page.goto(edit_url)
    page.locator("#id_summary").fill("Two closure orders granted after residents' reports.")
    open_more_actions(page)
    assert page.locator("button[name='action-publish']").count() == 0
    page.get_by_role("button", name="Submit to Press release sign-off").click()
    left_the_editor(page)
    assert "submitted for moderation" in page.content()
    page.context.clear_cookies()

    # The co-ordinator reviews.
    admin_login(page, approver)
    page.goto(edit_url)
    open_more_actions(page)
    page.get_by_role("button", name="Approve", exact=True).click()
    left_the_editor(page)
    page.context.clear_cookies()
    release.refresh_from_db()
    assert release.current_workflow_task.name == "Spokesperson approval"
    assert not release.live

    # The spokesperson sets the embargo in the schedule dialog, saves it and approves:
    # the release is not sent back to the first step but signed off with her embargo.
    embargo = timezone.localtime(timezone.now() + datetime.timedelta(days=2)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    admin_login(page, spokesperson)
    page.goto(edit_url)
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Toggle status").click()
    page.get_by_role("button", name="Set schedule").first.click()
    dialog = page.locator("#schedule-publishing-dialog")
    go_live = dialog.locator("#id_go_live_at")
    go_live.fill(embargo.strftime("%Y-%m-%d %H:%M"))
    # The field's date picker stays open over the dialog's button, so press the button
    # itself rather than the point where the picker lies.
    save = dialog.get_by_role("button", name="Save schedule")
    expect(save).to_be_visible()
    save.evaluate("button => button.click()")
    page.wait_for_url(lambda url: "/edit/" in url)
    open_more_actions(page)
    page.get_by_role("button", name="Approve", exact=True).click()
    left_the_editor(page)

    release = PressReleasePage.objects.get(pk=release.pk)
    assert not release.live
    sign_off = release.sign_offs.get()
    assert (sign_off.reviewed_by, sign_off.approved_by) == (approver, spokesperson)
    assert sign_off.go_live_at == embargo
    assert release.get_latest_revision().approved_go_live_at == embargo

    # The history shows who signed which step, with the embargo she approved.
    page.goto(f"/admin/pages/{release.pk}/history/")
    history = page.content()
    assert "Signed off “Co-ordinator review”" in history
    assert f"Signed off “Spokesperson approval”, embargo {embargo:%d %B %Y %H:%M}" in history

    # Until the embargo the public sees nothing; at the embargo time it goes live.
    page.context.clear_cookies()
    assert page.goto(f"/news/{release.slug}/").status == 404
    with mock.patch(
        "django.utils.timezone.now", return_value=embargo + datetime.timedelta(minutes=1)
    ):
        pages_publish_scheduled.delay()
    release = PressReleasePage.objects.get(pk=release.pk)
    assert release.live and release.live_revision == sign_off.revision

    page.goto(release.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Canal Quarter dealing site closed"
    assert page.get_by_text("Two closure orders granted after residents' reports.").is_visible()
    page.wait_for_load_state("networkidle")
