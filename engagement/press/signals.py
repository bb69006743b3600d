"""Signal receivers for press releases; they call services.

Who is emailed about a release's sign-off is decided here, once. Wagtail's own workflow
emails (``wagtail.admin.signal_handlers``) go to every member of a step's groups, the
submitter and earlier signer included though the sign-off rules bar them, say nothing
after a middle step, and are sent in the request, lost if the ESP fails. For press
releases Signpost sends its own instead (``services.press_release_notice_send``): to the
approvers who may sign the step that opened, and to the author after each decision,
naming who signs next; through the project's mail edge, from a task, once. Wagtail's
emails still go for every other page's workflow (survey pages in moderation)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models.signals import post_save
from wagtail.admin import signal_handlers as wagtail_workflow_emails
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import (
    page_published,
    task_approved,
    task_rejected,
    task_submitted,
    workflow_approved,
    workflow_rejected,
    workflow_submitted,
)

from .models import NewsroomPage, PressReleaseApprovalTask, PressReleaseNotice, PressReleasePage
from .services import newsroom_assign_workflow, press_release_notice_queue, press_release_published


def on_page_published(sender, instance, **kwargs):
    if isinstance(instance, PressReleasePage) and not kwargs.get("alias"):
        press_release_published(release=instance)


def on_newsroom_saved(sender, instance, **kwargs):
    """Every newsroom's releases go through the sign-off workflow, from its first save."""
    if instance.pk and not kwargs.get("raw"):
        newsroom_assign_workflow(newsroom=instance)


def _is_sign_off_step(task_state) -> bool:
    return issubclass(task_state.task.specific_class, PressReleaseApprovalTask)


def _is_release_workflow(workflow_state) -> bool:
    return workflow_state.content_type_id == ContentType.objects.get_for_model(PressReleasePage).pk


def on_step_opened(sender, instance, **kwargs):
    if _is_sign_off_step(instance):
        press_release_notice_queue(task_state=instance, kind=PressReleaseNotice.Kind.STEP_OPEN)


def on_step_approved(sender, instance, **kwargs):
    if _is_sign_off_step(instance):
        press_release_notice_queue(task_state=instance, kind=PressReleaseNotice.Kind.STEP_APPROVED)


def on_step_rejected(sender, instance, **kwargs):
    if _is_sign_off_step(instance):
        press_release_notice_queue(
            task_state=instance, kind=PressReleaseNotice.Kind.CHANGES_REQUESTED
        )


def _but_for_press_releases(notifier, *, is_release):
    """Wagtail's notifier for every workflow but a press release's."""

    def notify(sender, instance, **kwargs):
        if is_release(instance):
            return None
        return notifier(sender=sender, instance=instance, **kwargs)

    return notify


# (signal, Wagtail's notifier, its dispatch_uid, its sender, how to tell a release's)
WAGTAIL_WORKFLOW_EMAILS = [
    (
        task_submitted,
        wagtail_workflow_emails.task_submission_email_notifier,
        "group_approval_task_submitted_email_notification",
        TaskState,
        _is_sign_off_step,
    ),
    (
        workflow_submitted,
        wagtail_workflow_emails.workflow_submission_email_notifier,
        "workflow_state_submitted_email_notification",
        WorkflowState,
        _is_release_workflow,
    ),
    (
        workflow_rejected,
        wagtail_workflow_emails.workflow_rejection_email_notifier,
        "workflow_state_rejected_email_notification",
        WorkflowState,
        _is_release_workflow,
    ),
    (
        workflow_approved,
        wagtail_workflow_emails.workflow_approval_email_notifier,
        "workflow_state_approved_email_notification",
        WorkflowState,
        _is_release_workflow,
    ),
]


def connect() -> None:
    page_published.connect(on_page_published, dispatch_uid="engagement_press_release_published")
    post_save.connect(on_newsroom_saved, sender=NewsroomPage, dispatch_uid="newsroom_workflow")
    task_submitted.connect(on_step_opened, dispatch_uid="press_release_step_opened")
    task_approved.connect(on_step_approved, dispatch_uid="press_release_step_approved")
    task_rejected.connect(on_step_rejected, dispatch_uid="press_release_step_rejected")
    # Wagtail's workflow emails, but for press releases: the same dispatch_uid, so this
    # holds whether Wagtail's admin app connected its own before or after this runs.
    for signal, notifier, uid, sender, is_release in WAGTAIL_WORKFLOW_EMAILS:
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(
            _but_for_press_releases(notifier, is_release=is_release),
            sender=sender,
            dispatch_uid=uid,
            weak=False,
        )
