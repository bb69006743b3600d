"""The admin's doors for press releases, answered in words: every door that could publish
a release (the editor, a new page, the publish step, a copy, a move, bulk publish)
refuses unless its sign-off is complete, says so, and puts the attempt on the record.
The model refuses regardless; these are the messages and redirects a user sees."""

from django.contrib import messages
from django.shortcuts import redirect
from signpost.bulk_actions import PageActionMixin
from wagtail.admin.views.pages.bulk_actions.publish import PublishBulkAction
from wagtail.models import TaskState

from .models import NewsroomPage, PressReleasePage
from .permissions import user_is_release_author, user_signed_earlier_step
from .selectors import (
    press_release_latest_decision,
    press_release_progress_text,
    press_release_sign_off,
    press_release_submitted_text,
)
from .sign_off import press_release_publish_refusal_log

SIGN_OFF_ONLY = (
    "A press release goes public only through its sign-off: co-ordinator review, then "
    "spokesperson approval, by two different people."
)


def _is_release(page) -> bool:
    return isinstance(page.specific_deferred, PressReleasePage)


def refuse_press_release_actions(request, page):
    """Say plainly why a press release was not published or signed off, and put each
    refused attempt to publish in the audit log. The model refuses regardless."""
    if request.method != "POST" or not _is_release(page):
        return None
    if request.POST.get("action-workflow-action"):
        if user_is_release_author(page, request.user):
            # Refused outright: saving the form would make a new revision and restart review.
            messages.error(
                request,
                "You wrote or submitted this release, so someone else must sign it off.",
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
        if user_signed_earlier_step(page, request.user):
            messages.error(
                request,
                "You signed off the other step of this release, so someone else must "
                "sign off this one. Nothing was changed.",
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    if request.POST.get("action-publish"):
        reverting = getattr(request.resolver_match, "url_name", "") == "revisions_revert"
        press_release_publish_refusal_log(
            release=page, user=request.user, door="revert" if reverting else "edit"
        )
        messages.error(
            request,
            f"{SIGN_OFF_ONLY} It was not published; your changes are kept as a draft. "
            "Submit the release for sign-off.",
        )
    return None


def tell_who_is_next(request, page):
    """After a sign-off step is decided or a release submitted in the editor, say what
    happened and who is next ("Approved step 1 of 2; Ana Spokesperson signs next")."""
    if request.method != "POST" or not _is_release(page):
        return None
    if request.POST.get("action-workflow-action"):
        decided = press_release_latest_decision(page, request.user)
        if decided is not None:
            messages.success(request, press_release_progress_text(decided))
    elif request.POST.get("action-submit") or request.POST.get("action-restart-workflow"):
        workflow_state = page.current_workflow_state
        if workflow_state is not None:
            text = press_release_submitted_text(workflow_state)
            if text:
                messages.success(request, text)
    return None


def refuse_publishing_new_release(request, parent_page, page_class):
    if (
        request.method == "POST"
        and request.POST.get("action-publish")
        and issubclass(page_class, PressReleasePage)
    ):
        messages.error(
            request,
            f"{SIGN_OFF_ONLY} The new release was saved as a draft, not published. "
            "Submit it for sign-off.",
        )
    return None


def log_refused_publishing_of_new_release(request, page):
    if request.POST.get("action-publish") and _is_release(page) and not page.live:
        press_release_publish_refusal_log(release=page, user=request.user, door="add")
    return None


def refuse_unsigned_release_publication(request, page):
    """Belt and braces: if an editor ever reaches Wagtail's publish step for a release,
    answer in words (the model would refuse an unsigned revision with an error)."""
    if not _is_release(page):
        return None

    if press_release_sign_off(revision=page.get_latest_revision()) is not None:
        return None
    press_release_publish_refusal_log(release=page, user=request.user, door="edit")
    messages.error(request, f"{SIGN_OFF_ONLY} It was not published.")
    return redirect("wagtailadmin_pages:edit", page.pk)


def refuse_publishing_copied_release(request, page):
    """A copy of a release is a new release: it starts as a draft and is signed off."""
    if request.method != "POST" or not _is_release(page):
        return None
    if request.POST.get("publish_copies") or request.POST.get("alias"):
        press_release_publish_refusal_log(release=page, user=request.user, door="copy")
        messages.error(
            request,
            f"{SIGN_OFF_ONLY} A copy starts as a draft: untick “Publish copied page” "
            "and “Alias”, then submit the copy for sign-off.",
        )
        return redirect("wagtailadmin_pages:copy", page.pk)
    return None


def refuse_moving_release_out_of_newsroom(request, page, destination):
    if _is_release(page) and not isinstance(destination.specific_deferred, NewsroomPage):
        messages.error(request, "Press releases stay in the newsroom, under its sign-off.")
        return redirect("wagtailadmin_explore", page.get_parent().pk)
    return None


class SignOffAwarePublishBulkAction(PageActionMixin, PublishBulkAction):
    """Wagtail's bulk publish, saying why press releases were left out and recording the
    attempt: releases are published by their sign-off, never in bulk. Refused outright
    to those who may publish no page (``signpost.bulk_actions``)."""

    page_permissions = ("publish",)

    def prepare_action(self, objects, objects_without_access):
        refused = [
            page
            for page in objects_without_access.get("items_with_no_access", [])
            if _is_release(page)
        ]
        for page in refused:
            press_release_publish_refusal_log(release=page, user=self.request.user, door="bulk")
        if refused:
            titles = ", ".join(f"“{page.get_admin_display_title()}”" for page in refused)
            messages.error(self.request, f"{SIGN_OFF_ONLY} Not published: {titles}.")
        return super().prepare_action(objects, objects_without_access)


def press_release_decided(request, task_state_id: int):
    """Where Wagtail's workflow-action view (the dashboard's Approve and Request changes)
    lands: the person who just decided the step is told what happened and who is next,
    as the editor tells them; anyone else is simply taken to the admin home."""
    task_state = TaskState.objects.filter(pk=task_state_id).first()
    if (
        task_state is not None
        and task_state.finished_by_id == request.user.pk
        and _is_release(task_state.workflow_state.content_object)
    ):
        messages.success(request, press_release_progress_text(task_state))
    return redirect("wagtailadmin_home")
