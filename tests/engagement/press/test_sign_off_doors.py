"""Nothing goes public unsigned: every way Wagtail's admin (or a shell, or the scheduler)
can publish a page is tried on a press release, as the roles that must be refused,
superusers included. Each refusal leaves the release off the site, emails nobody, says
why in words and is in the audit log with who tried."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry, TaskState, WorkflowState

from engagement.models import PressReleaseNotSignedOff, PressReleasePage, Stakeholder
from engagement.press.sign_off import (
    PRESS_RELEASE_PUBLISH_REFUSED,
    press_release_changes_only_embargo,
)
from engagement.tasks import pages_publish_scheduled
from tests.engagement.factories import StakeholderFactory

from .conftest import in_future, release_form_data

pytestmark = pytest.mark.django_db

SIGN_OFF_ONLY = "goes public only through its sign-off"


@pytest.fixture(autouse=True)
def media_contact(db):
    return StakeholderFactory(
        name="Sam Whitley",
        stakeholder_type=Stakeholder.Type.MEDIA,
        email="sam@echo.example.com",
        consent_to_contact=True,
    )


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run the publication's email task as the transaction commits, as in production."""
    with django_capture_on_commit_callbacks(execute=True):
        yield


def press_emails():
    return [m for m in mail.outbox if m.subject.startswith("Press release:")]


def refusals(release, user=None):
    entries = PageLogEntry.objects.filter(page=release, action=PRESS_RELEASE_PUBLISH_REFUSED)
    return entries.filter(user=user) if user else entries


def assert_not_public(client, release, published_before=0):
    release = PressReleasePage.objects.get(pk=release.pk)
    assert not release.live
    client.logout()
    assert client.get(f"/news/{release.slug}/").status_code == 404
    assert press_emails() == []
    published = PageLogEntry.objects.filter(page=release, action="wagtail.publish")
    assert published.count() == published_before


def edit_url(release):
    return reverse("wagtailadmin_pages:edit", args=[release.pk])


def approve_url(release):
    release.refresh_from_db()
    task_state = release.current_workflow_task_state
    return reverse(
        "wagtailadmin_pages:workflow_action", args=[release.pk, "approve", task_state.pk]
    )


def submit(client, user, release, **changes):
    client.force_login(user)
    form = release_form_data(release, **changes)
    form["action-submit"] = "true"
    client.post(edit_url(release), form)
    release.refresh_from_db()


@pytest.mark.parametrize("who", ["approver", "spokesperson", "superuser"])
def test_publish_on_add_is_refused(request, client, newsroom, run_on_commit, who):
    from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

    user = request.getfixturevalue(who)
    client.force_login(user)
    url = reverse("wagtailadmin_pages:add", args=["engagement", "pressreleasepage", newsroom.pk])
    form = nested_form_data(
        {
            "title": "Straight out",
            "slug": "straight-out",
            "summary": "Not signed off",
            "body": streamfield([("paragraph", rich_text("<p>Body</p>"))]),
            "action-publish": "true",
        }
    )
    response = client.post(url, form, follow=True)
    assert SIGN_OFF_ONLY in response.content.decode()
    created = PressReleasePage.objects.get(slug="straight-out")
    assert refusals(created, user).exists()
    assert_not_public(client, created)


@pytest.mark.parametrize("who", ["approver", "superuser"])
def test_publish_on_edit_is_refused_and_kept_as_a_draft(
    request, client, make_release, run_on_commit, who
):
    user = request.getfixturevalue(who)
    release = make_release()
    client.force_login(user)
    html = client.get(edit_url(release)).content.decode()
    assert 'name="action-publish"' not in html
    form = release_form_data(release, summary="Rushed out")
    form["action-publish"] = "true"
    response = client.post(edit_url(release), form, follow=True)
    assert response.status_code == 200
    assert SIGN_OFF_ONLY in response.content.decode()
    release.refresh_from_db()
    assert release.get_latest_revision_as_object().summary == "Rushed out"
    assert refusals(release, user).get().data["door"] == "edit"
    assert_not_public(client, release)


def test_publish_on_edit_does_not_cancel_the_sign_off_in_progress(
    client, make_release, comms_officer, approver, superuser, run_on_commit
):
    release = make_release()
    submit(client, comms_officer, release)
    for user in (approver, superuser):
        client.force_login(user)
        html = client.get(edit_url(release)).content.decode()
        assert "cancel the current workflow" not in html.lower()
        form = release_form_data(release)
        form["action-publish"] = "true"
        response = client.post(edit_url(release), form, follow=True)
        assert SIGN_OFF_ONLY in response.content.decode()
        assert refusals(release, user).exists()
    assert WorkflowState.objects.get().status == WorkflowState.STATUS_IN_PROGRESS
    assert_not_public(client, release)


@pytest.mark.parametrize("who", ["approver", "superuser"])
def test_bulk_publish_is_refused(request, client, newsroom, make_release, run_on_commit, who):
    user = request.getfixturevalue(who)
    release = make_release()
    client.force_login(user)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    query = f"?id={release.pk}&childOf={newsroom.pk}&next=/admin/pages/{newsroom.pk}/"
    html = client.get(url + query).content.decode()
    assert "permission to publish" in html
    response = client.post(url + query, {"include_descendants": ""}, follow=True)
    assert SIGN_OFF_ONLY in response.content.decode()
    assert refusals(release, user).get().data["door"] == "bulk"
    assert_not_public(client, release)


def test_bulk_publishing_the_newsroom_with_its_drafts_leaves_releases_alone(
    client, home, newsroom, make_release, superuser, run_on_commit
):
    release = make_release()
    client.force_login(superuser)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "publish"])
    query = f"?id={newsroom.pk}&childOf={home.pk}"
    client.post(url + query, {"include_descendants": "on"})
    assert_not_public(client, release)


def test_copy_with_publish_copies_is_refused(
    client, newsroom, make_release, signed_off, approver, superuser, run_on_commit
):
    release = signed_off(make_release())
    mail.outbox.clear()
    for user in (approver, superuser):
        client.force_login(user)
        for option in ("publish_copies", "alias"):
            response = client.post(
                reverse("wagtailadmin_pages:copy", args=[release.pk]),
                {
                    "new_title": "Copied release",
                    "new_slug": f"copied-{option}",
                    "new_parent_page": newsroom.pk,
                    option: "on",
                },
                follow=True,
            )
            assert response.status_code == 200
            assert SIGN_OFF_ONLY in response.content.decode()
        assert refusals(release, user).count() == 2
    assert PressReleasePage.objects.count() == 1
    assert press_emails() == []
    # A plain copy is a draft, signed off like any other release.
    client.post(
        reverse("wagtailadmin_pages:copy", args=[release.pk]),
        {"new_title": "Copied release", "new_slug": "copied", "new_parent_page": newsroom.pk},
    )
    assert_not_public(client, PressReleasePage.objects.get(slug="copied"))


def test_a_copy_kept_live_is_refused_by_the_model(make_release, signed_off, superuser):
    """The door without a form: Wagtail's copy action (the admin API's, a shell's)."""
    release = signed_off(make_release())
    with pytest.raises(PressReleaseNotSignedOff):
        release.copy(update_attrs={"slug": "live-copy"}, keep_live=True, user=superuser)
    assert not PressReleasePage.objects.filter(slug="live-copy", live=True).exists()


def test_revert_to_an_earlier_version_and_publish_is_refused(
    client, make_release, signed_off, approver, comms_officer, run_on_commit
):
    release = signed_off(make_release(summary="The signed wording."))
    signed_revision = release.live_revision
    client.force_login(comms_officer)
    form = release_form_data(release, summary="A draft that came later.")
    form["action-save"] = "true"
    client.post(edit_url(release), form)
    mail.outbox.clear()
    client.force_login(approver)
    earlier = release.revisions.order_by("created_at", "pk").first()
    url = reverse("wagtailadmin_pages:revisions_revert", args=[release.pk, earlier.pk])
    form = release_form_data(earlier.as_object())
    form["action-publish"] = "true"
    response = client.post(url, form, follow=True)
    assert SIGN_OFF_ONLY in response.content.decode()
    assert refusals(release, approver).get().data["door"] == "revert"
    release.refresh_from_db()
    assert release.live_revision == signed_revision
    assert press_emails() == []


def test_moving_a_release_out_of_the_newsroom_is_refused(client, home, make_release, superuser):
    release = make_release()
    client.force_login(superuser)
    url = reverse("wagtailadmin_pages:move_confirm", args=[release.pk, home.pk])
    response = client.post(url, follow=True)
    assert response.status_code == 200
    release.refresh_from_db()
    assert release.get_parent().specific_class.__name__ == "NewsroomPage"
    assert not release.live


def test_the_scheduler_never_takes_live_an_unsigned_revision(client, make_release, superuser):
    """A revision put on the schedule without sign-off (only a shell can) is refused at
    its time, taken off the schedule and recorded; the scheduler carries on."""
    release = make_release(go_live_at=in_future(minutes=-1))
    revision = release.get_latest_revision()
    revision.approved_go_live_at = timezone.now() - datetime.timedelta(minutes=1)
    revision.save(update_fields=["approved_go_live_at"])
    pages_publish_scheduled.delay()
    revision.refresh_from_db()
    assert revision.approved_go_live_at is None
    assert refusals(release).get().data["door"] == "scheduled"
    assert_not_public(client, release)


def test_a_signed_revision_changed_afterwards_is_not_published(
    client, make_release, signed_off, run_on_commit
):
    """A signed-off revision's content is fingerprinted: rewritten after sign-off (an
    autosave overwriting it, a shell), it no longer counts as signed."""
    release = signed_off(make_release(go_live_at=in_future(hours=1)))
    revision = release.get_latest_revision()
    revision.content["summary"] = "Rewritten after sign-off."
    revision.save(update_fields=["content"])
    with mock.patch(
        "django.utils.timezone.now", return_value=release.go_live_at + datetime.timedelta(1)
    ):
        pages_publish_scheduled.delay()
    assert refusals(release).exists()
    assert_not_public(client, release)


def test_unpublish_then_republish_a_changed_version_is_refused(
    client, make_release, signed_off, approver, run_on_commit
):
    release = signed_off(make_release())
    client.force_login(approver)
    client.post(reverse("wagtailadmin_pages:unpublish", args=[release.pk]))
    release.refresh_from_db()
    assert not release.live
    mail.outbox.clear()
    form = release_form_data(release, summary="Changed while it was down.")
    form["action-publish"] = "true"
    response = client.post(edit_url(release), form, follow=True)
    assert SIGN_OFF_ONLY in response.content.decode()
    assert_not_public(client, release, published_before=1)


def test_a_shell_cannot_publish_or_make_live_an_unsigned_release(make_release, superuser):
    release = make_release()
    with pytest.raises(PressReleaseNotSignedOff):
        release.get_latest_revision().publish(user=superuser)
    with pytest.raises(PressReleaseNotSignedOff):
        release.get_latest_revision().publish(user=superuser, skip_permission_checks=True)
    assert refusals(release, superuser).count() == 2
    release.live = True
    release.live_revision = release.get_latest_revision()
    with pytest.raises(PressReleaseNotSignedOff):
        release.save()
    assert not PressReleasePage.objects.get(pk=release.pk).live


def test_the_admin_api_publish_action_is_refused(client, make_release, approver):
    release = make_release()
    client.force_login(approver)
    response = client.post(f"/admin/api/main/pages/{release.pk}/action/publish/")
    assert response.status_code == 403
    assert "completed sign-off" in response.json()["detail"]
    assert not PressReleasePage.objects.get(pk=release.pk).live
    [entry] = refusals(release, approver)
    assert entry.data["door"] == "api"


def test_one_person_cannot_sign_both_steps(
    client, make_release, comms_officer, approver, spokesperson, superuser
):
    release = make_release()
    submit(client, comms_officer, release)
    client.force_login(approver)
    assert client.post(approve_url(release), {"comment": ""}).status_code == 302
    release.refresh_from_db()
    assert release.current_workflow_task.name == "Spokesperson approval"
    # Not through the dashboard's button...
    response = client.post(approve_url(release), {"comment": ""})
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    # ...nor the editor's, which says why and changes nothing.
    form = release_form_data(release)
    form["action-workflow-action"] = "true"
    form["workflow-action-name"] = "approve"
    revisions = release.revisions.count()
    response = client.post(edit_url(release), form, follow=True)
    assert "You signed off the other step" in response.content.decode()
    assert release.revisions.count() == revisions
    # ...nor by calling the task directly.
    with pytest.raises(Exception, match="both steps"):
        release.current_workflow_task.on_action(
            release.current_workflow_task_state, approver, "approve"
        )
    # The dashboard does not ask her to.
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Awaiting your review" not in html or release.title not in html
    release.refresh_from_db()
    assert not release.live
    # Someone else may.
    client.force_login(spokesperson)
    assert client.post(approve_url(release), {"comment": ""}).status_code == 302
    release.refresh_from_db()
    assert release.live


def test_the_proper_route_publishes_at_the_embargo_set_at_step_two(
    client, make_release, comms_officer, approver, spokesperson, django_capture_on_commit_callbacks
):
    """The communications officer submits, the co-ordinator passes step one, and the
    spokesperson sets the embargo in the editor (Save schedule) and approves: the release
    is not sent back, it is scheduled for her embargo, and goes live then, emailed once."""
    release = make_release()
    submit(client, comms_officer, release)
    client.force_login(approver)
    client.post(approve_url(release), {"comment": ""})

    embargo = in_future(hours=3).replace(second=0, microsecond=0)
    client.force_login(spokesperson)
    form = release_form_data(release, go_live_at=embargo)
    form["action-save"] = "true"  # "Save schedule" in the schedule dialog
    client.post(edit_url(release), form)
    release.refresh_from_db()
    form = release_form_data(release.get_latest_revision_as_object())
    form["action-workflow-action"] = "true"
    form["workflow-action-name"] = "approve"
    response = client.post(edit_url(release), form)
    assert response.status_code == 302

    release = PressReleasePage.objects.get(pk=release.pk)
    assert not release.live
    assert WorkflowState.objects.get().status == WorkflowState.STATUS_APPROVED
    sign_off = release.sign_offs.get()
    assert (sign_off.reviewed_by, sign_off.approved_by) == (approver, spokesperson)
    assert sign_off.go_live_at == embargo
    assert sign_off.revision.approved_go_live_at == embargo
    # The history says who signed which step, with the embargo each approved.
    history = client.get(reverse("wagtailadmin_pages:history", args=[release.pk]))
    html = history.content.decode()
    assert "Signed off “Co-ordinator review”, embargo none" in html
    local = timezone.localtime(embargo)
    assert f"Signed off “Spokesperson approval”, embargo {local:%d %B %Y %H:%M}" in html
    assert "Sign-off completed" in html
    steps = PageLogEntry.objects.filter(page=release, action="engagement.press_release.step_signed")
    assert [(e.user, e.data["step"]) for e in steps.order_by("pk")] == [
        (approver, "Co-ordinator review"),
        (spokesperson, "Spokesperson approval"),
    ]

    with mock.patch("django.utils.timezone.now", return_value=embargo - datetime.timedelta(1)):
        pages_publish_scheduled.delay()
    assert not PressReleasePage.objects.get(pk=release.pk).live
    with (
        mock.patch("django.utils.timezone.now", return_value=embargo + datetime.timedelta(0, 30)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        pages_publish_scheduled.delay()
    release = PressReleasePage.objects.get(pk=release.pk)
    assert release.live and release.live_revision == sign_off.revision
    assert [m.to for m in press_emails()] == [["sam@echo.example.com"]]


def test_what_the_rich_text_editor_adds_by_itself_is_not_a_change_of_wording(make_release):
    """Approving in the editor saves the form; by then the rich text editor may have put an
    empty paragraph (with its own key) in an empty field, or given paragraphs new keys.
    Neither changes what a reader sees, so neither sends a release back to step one."""
    release = make_release(notes_to_editors="")
    signed = release.save_revision()
    release.notes_to_editors = '<p data-block-key="1krhf"></p>'
    release.go_live_at = in_future(hours=3)
    filled = release.save_revision()
    assert press_release_changes_only_embargo(filled, signed)

    release.notes_to_editors = '<p data-block-key="1krhf">Interviews on request.</p>'
    worded = release.save_revision()
    assert not press_release_changes_only_embargo(worded, signed)
    assert not press_release_changes_only_embargo(worded, filled)


def test_an_embargo_changed_after_the_first_approval_by_anyone_else_goes_back_to_step_one(
    client, make_release, comms_officer, approver, spokesperson, co_ordinator
):
    release = make_release()
    submit(client, comms_officer, release)
    client.force_login(approver)
    client.post(approve_url(release), {"comment": ""})
    # The co-ordinator moves the embargo after passing step one.
    form = release_form_data(release, go_live_at=in_future(days=1))
    form["action-save"] = "true"
    client.post(edit_url(release), form)
    client.force_login(spokesperson)
    client.post(approve_url(release), {"comment": ""})
    release.refresh_from_db()
    assert release.current_workflow_task.name == "Co-ordinator review"
    assert not release.live and not release.sign_offs.exists()


def test_a_wording_change_at_step_two_goes_back_to_step_one(
    client, make_release, comms_officer, approver, spokesperson
):
    release = make_release()
    submit(client, comms_officer, release)
    client.force_login(approver)
    client.post(approve_url(release), {"comment": ""})
    client.force_login(spokesperson)
    form = release_form_data(release, summary="Reworded while approving.")
    form["action-workflow-action"] = "true"
    form["workflow-action-name"] = "approve"
    client.post(edit_url(release), form)
    release.refresh_from_db()
    assert release.current_workflow_task.name == "Co-ordinator review"
    assert not release.live and not release.sign_offs.exists()


def test_an_edit_to_a_live_release_waits_for_its_own_sign_off(
    client, make_release, signed_off, comms_officer, approver, spokesperson, run_on_commit
):
    release = signed_off(make_release(summary="The original wording."))
    submit(client, comms_officer, release, summary="The corrected wording.")
    client.logout()
    assert "The original wording." in client.get(release.url).content.decode()
    client.force_login(approver)
    client.post(approve_url(release), {"comment": ""})
    client.logout()
    assert "The original wording." in client.get(release.url).content.decode()
    client.force_login(spokesperson)
    client.post(approve_url(release), {"comment": ""})
    client.logout()
    assert "The corrected wording." in client.get(release.url).content.decode()
    assert release.sign_offs.count() == 2
    approvals = TaskState.objects.filter(status=TaskState.STATUS_APPROVED)
    assert approvals.count() == 4
