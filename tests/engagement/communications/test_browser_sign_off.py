"""A release goes from draft through both sign-offs to publication, in a real browser."""

import pytest

from engagement.models import PressReleasePage

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

    # The spokesperson approves, and the release is published.
    admin_login(page, spokesperson)
    page.goto(edit_url)
    open_more_actions(page)
    page.get_by_role("button", name="Approve", exact=True).click()
    left_the_editor(page)
    release = PressReleasePage.objects.get(pk=release.pk)
    assert release.live

    page.goto(release.url)
    assert page.get_by_role("heading", level=1).inner_text() == "Canal Quarter dealing site closed"
    assert page.get_by_text("Two closure orders granted after residents' reports.").is_visible()
    page.wait_for_load_state("networkidle")
