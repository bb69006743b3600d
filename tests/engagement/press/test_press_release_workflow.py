"""Press release sign-off through the Wagtail admin, per role: review by the
co-ordinator, approval by the spokesperson, publishing by approvers only, and nobody
signing off their own release."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry, PageLogEntry, TaskState, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from engagement.models import NewsroomPage, PressReleasePage
from tests.refusals import assert_refused

from .conftest import in_future, release_form_data

pytestmark = pytest.mark.django_db


def edit_url(release):
    return reverse("wagtailadmin_pages:edit", args=[release.pk])


def post_edit(client, release, action, **data):
    form = release_form_data(release, **data)
    form[action] = "true"
    return client.post(edit_url(release), form, follow=True)


def approve(client, release):
    """Approve the current step the way the dashboard's 'Approve' button does."""
    release.refresh_from_db()
    task_state = release.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[release.pk, "approve", task_state.pk])
    return client.post(url, {"comment": ""})


def submit(client, release):
    response = post_edit(client, release, "action-submit")
    assert response.status_code == 200
    release.refresh_from_db()
    return response


def current_step(release):
    release.refresh_from_db()
    task = release.current_workflow_task
    return task.name if task else None


def actions_logged(release):
    return list(
        PageLogEntry.objects.filter(page=release)
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )


def test_newsroom_uses_the_two_step_sign_off_workflow(newsroom):
    workflow = newsroom.get_workflow()
    assert workflow.name == "Press release sign-off"
    assert [task.name for task in workflow.tasks] == [
        "Co-ordinator review",
        "Spokesperson approval",
    ]
    for task in workflow.tasks.specific():
        assert list(task.groups.values_list("name", flat=True)) == ["Approver"]


def test_release_goes_through_both_sign_offs_then_is_published_and_logged(
    client, make_release, comms_officer, approver, spokesperson
):
    release = make_release()
    client.force_login(comms_officer)
    submit(client, release)
    assert current_step(release) == "Co-ordinator review"

    client.force_login(approver)
    assert approve(client, release).status_code == 302
    assert current_step(release) == "Spokesperson approval"
    assert not release.live

    client.force_login(spokesperson)
    assert approve(client, release).status_code == 302
    release.refresh_from_db()
    assert release.live
    assert WorkflowState.objects.get().status == WorkflowState.STATUS_APPROVED
    approvals = TaskState.objects.filter(status=TaskState.STATUS_APPROVED).order_by("pk")
    assert [(s.task.name, s.finished_by) for s in approvals] == [
        ("Co-ordinator review", approver),
        ("Spokesperson approval", spokesperson),
    ]
    logged = actions_logged(release)
    for action in ("wagtail.workflow.start", "wagtail.workflow.approve", "wagtail.publish"):
        assert action in logged
    assert logged.count("wagtail.workflow.approve") == 2
    assert client.get(release.url).status_code == 200


def test_communications_officer_is_refused_publishing_directly(client, make_release, comms_officer):
    release = make_release()
    client.force_login(comms_officer)
    response = post_edit(client, release, "action-publish", summary="Changed summary")
    release.refresh_from_db()
    assert not release.live
    assert not PageLogEntry.objects.filter(page=release, action="wagtail.publish").exists()
    assert "goes public only through its sign-off" in response.content.decode()
    assert PageLogEntry.objects.filter(
        page=release, action="engagement.press_release.publish_refused", user=comms_officer
    ).exists()
    # The edit is kept, as a draft.
    assert release.get_latest_revision_as_object().summary == "Changed summary"
    # And the publish button is not offered.
    html = client.get(edit_url(release)).content.decode()
    assert 'name="action-publish"' not in html
    assert 'name="action-submit"' in html


def test_communications_officer_cannot_create_a_release_already_published(
    client, newsroom, comms_officer
):
    client.force_login(comms_officer)
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
    client.post(url, form, follow=True)
    created = PressReleasePage.objects.get(slug="straight-out")
    assert not created.live


def test_the_submitter_cannot_pass_a_step(client, make_release, approver, spokesperson):
    release = make_release(owner=approver)
    client.force_login(approver)
    submit(client, release)
    # No approve button is offered, the direct action URL is refused, and the editor's
    # workflow action is refused with a message.
    html = client.get(edit_url(release)).content.decode()
    assert "workflow-action-name" not in html or 'value="approve"' not in html
    assert_refused(approve(client, release))
    response = post_edit(
        client, release, "action-workflow-action", **{"workflow-action-name": "approve"}
    )
    assert "someone else must sign it off" in response.content.decode()
    assert current_step(release) == "Co-ordinator review"
    # Someone else may.
    client.force_login(spokesperson)
    assert approve(client, release).status_code == 302
    assert current_step(release) == "Spokesperson approval"


def test_an_approver_who_submitted_anothers_draft_cannot_approve_it(
    client, make_release, approver, spokesperson
):
    release = make_release()  # written by the communications officer
    client.force_login(approver)
    submit(client, release)
    assert_refused(approve(client, release))
    client.force_login(spokesperson)
    assert approve(client, release).status_code == 302


def test_even_a_superuser_cannot_approve_their_own_release(client, make_release, superuser):
    release = make_release(owner=superuser)
    client.force_login(superuser)
    submit(client, release)
    assert_refused(approve(client, release))
    task = release.current_workflow_task
    with pytest.raises(Exception, match="own press release"):
        task.on_action(release.current_workflow_task_state, superuser, "approve")
    assert current_step(release) == "Co-ordinator review"


@pytest.mark.parametrize(
    "role_fixture", ["comms_officer", "neighbourhood_officer", "analyst", "partner_viewer"]
)
def test_roles_without_the_right_cannot_approve(
    request, client, make_release, approver, role_fixture
):
    release = make_release(owner=approver)
    client.force_login(approver)
    submit(client, release)
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    assert_refused(approve(client, release))
    assert current_step(release) == "Co-ordinator review"


@pytest.mark.parametrize("role_fixture", ["neighbourhood_officer", "analyst", "partner_viewer"])
def test_only_the_press_team_edits_releases(request, client, make_release, role_fixture):
    release = make_release()
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get(edit_url(release))
    assert_refused(response)
    response = post_edit(client, release, "action-publish", title="Hijacked")
    release.refresh_from_db()
    assert release.title != "Hijacked" and not release.live


def test_an_edit_during_review_needs_approval_again(
    client, make_release, comms_officer, approver, spokesperson, co_ordinator
):
    release = make_release()
    client.force_login(comms_officer)
    submit(client, release)
    client.force_login(approver)
    approve(client, release)
    assert current_step(release) == "Spokesperson approval"

    # While it is in review the release is locked to its reviewers...
    client.force_login(comms_officer)
    post_edit(client, release, "action-save", summary="Slipped in by the author")
    assert release.get_latest_revision_as_object().summary != "Slipped in by the author"

    # ...and a reviewer's change of wording sends it back to the first step.
    client.force_login(approver)
    post_edit(client, release, "action-save", summary="A late change of wording")
    client.force_login(spokesperson)
    approve(client, release)
    release.refresh_from_db()
    assert not release.live
    assert current_step(release) == "Co-ordinator review"
    # The approver wrote the change, so may not pass it; the spokesperson passes the first
    # step, and may not pass the second as well: a third approver must.
    client.force_login(approver)
    assert_refused(approve(client, release))
    client.force_login(spokesperson)
    approve(client, release)
    assert current_step(release) == "Spokesperson approval"
    assert_refused(approve(client, release))
    client.force_login(co_ordinator)
    approve(client, release)
    release.refresh_from_db()
    assert release.live and release.summary == "A late change of wording"


def test_a_release_without_headline_or_body_is_refused_at_submission(
    client, make_release, comms_officer
):
    release = make_release()
    client.force_login(comms_officer)
    form = release_form_data(release, title="")
    form["body-count"] = "0"
    for key in [k for k in form if k.startswith("body-0")]:
        del form[key]
    form["action-submit"] = "true"
    response = client.post(edit_url(release), form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The page could not be saved due to validation errors" in html
    assert "This field is required." in html  # the headline
    assert not WorkflowState.objects.exists()
    release.refresh_from_db()
    assert not release.live


def test_an_embargo_in_the_past_is_refused_with_a_clear_message(
    client, make_release, comms_officer
):
    release = make_release()
    client.force_login(comms_officer)
    form = release_form_data(release, go_live_at=in_future(hours=-2))
    form["action-submit"] = "true"
    response = client.post(edit_url(release), form)
    assert response.status_code == 200
    assert "has already passed" in response.content.decode()
    assert not WorkflowState.objects.exists()


def test_the_newsroom_cannot_be_reordered_or_published_into_by_the_comms_officer(
    newsroom, comms_officer, approver
):
    newsroom = NewsroomPage.objects.get(pk=newsroom.pk)
    assert not newsroom.permissions_for_user(comms_officer).can_publish_subpage()
    assert newsroom.permissions_for_user(comms_officer).can_add_subpage()
    # Nobody publishes a release as they create it: the sign-off publishes it.
    assert not newsroom.permissions_for_user(approver).can_publish_subpage()


def test_unpublishing_a_release_is_for_approvers(client, make_release, comms_officer, signed_off):
    release = signed_off(make_release())
    release.refresh_from_db()
    client.force_login(comms_officer)
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[release.pk]))
    release.refresh_from_db()
    assert_refused(response)
    assert release.live
    assert not ModelLogEntry.objects.filter(action="wagtail.unpublish").exists()


def test_the_dashboard_asks_approvers_to_review_only_others_releases(
    client, make_release, approver, spokesperson
):
    own = make_release(title="My own release", owner=approver)
    client.force_login(approver)
    submit(client, own)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert (
        "Awaiting your review" not in html
        or "My own release" not in html.split("Awaiting your review")[1].split("</section>")[0]
    )
    client.force_login(spokesperson)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Awaiting your review" in html and "My own release" in html
