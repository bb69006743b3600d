"""Every write for press releases: the sign-off workflow, publishing and emailing the media."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from signpost import jobs
from signpost.links import absolute_url, absolutise
from signpost.mail import email_message, email_once
from signpost.models import InitiativeSettings
from signpost.roles import APPROVER
from wagtail.log_actions import log
from wagtail.models import Site, TaskState, Workflow, WorkflowPage, WorkflowTask
from wagtail.workflows import publish_workflow_state

from engagement.activities.models import Activity
from engagement.activities.services import activity_record_delivered

from . import tasks
from .models import (
    PressReleaseApprovalTask,
    PressReleaseMailing,
    PressReleaseNotice,
    PressReleaseNotSignedOff,
    PressReleasePage,
    PressReleaseSignOff,
)
from .selectors import (
    person_name,
    press_release_authors,
    press_release_media_recipients,
    press_release_step_progress,
    press_release_step_signers,
)
from .sign_off import (
    PRESS_RELEASE_SIGNED_OFF,
    embargo_label,
    press_release_changes_only_embargo,
    press_release_fingerprint,
    sign_off_steps,
)

PRESS_RELEASE_WORKFLOW_NAME = "Press release sign-off"
PRESS_RELEASE_EMAILED = "engagement.press_release.emailed"
MAILING_MAX_ATTEMPTS = 5


PRESS_RELEASE_WORKFLOW_STEPS = ["Co-ordinator review", "Spokesperson approval"]


@transaction.atomic
def press_release_workflow_ensure():
    """The sign-off workflow (made by a data migration), made again if it was deleted:
    a newsroom must never be left without sign-off."""

    workflow = Workflow.objects.filter(name=PRESS_RELEASE_WORKFLOW_NAME).first()
    if workflow is not None:
        return workflow
    approvers, _ = Group.objects.get_or_create(name=APPROVER)
    workflow = Workflow.objects.create(name=PRESS_RELEASE_WORKFLOW_NAME)
    for order, name in enumerate(PRESS_RELEASE_WORKFLOW_STEPS):
        task = PressReleaseApprovalTask.objects.filter(name=name).first()
        task = task or PressReleaseApprovalTask.objects.create(name=name)
        task.groups.set([approvers])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    return workflow


@transaction.atomic
def newsroom_assign_workflow(*, newsroom) -> None:
    """Releases in the newsroom go through the sign-off workflow; a newsroom with no
    workflow of its own gets it."""

    if WorkflowPage.objects.filter(page=newsroom).exists():
        return
    WorkflowPage.objects.create(page=newsroom, workflow=press_release_workflow_ensure())


@transaction.atomic
def press_release_sign_off_complete(*, workflow_state, user=None):
    """The sign-off workflow has passed its last step: check that two different people,
    neither the release's owner, its submitter nor the author of what they signed,
    passed the steps of the revision to publish; record the sign-off; publish (or
    schedule) that revision. Other workflows publish as Wagtail does."""

    release = workflow_state.content_object.specific
    if not isinstance(release, PressReleasePage):
        return publish_workflow_state(workflow_state, user=user)
    revision = release.get_latest_revision()
    approvals = []
    for step in sign_off_steps(workflow_state.workflow):
        state = (
            TaskState.objects.filter(
                workflow_state=workflow_state,
                task=step,
                revision=revision,
                status=TaskState.STATUS_APPROVED,
            )
            .select_related("finished_by")
            .order_by("-finished_at", "-pk")
            .first()
        )
        if state is None or state.finished_by_id is None:
            raise PressReleaseNotSignedOff(f"“{step.name}” has not been passed on this version.")
        approvals.append(state)
    signers = [state.finished_by_id for state in approvals]
    if len(approvals) < 2 or len(set(signers)) != len(signers):
        raise PressReleaseNotSignedOff("Two different people must sign off a press release.")
    if {release.owner_id, workflow_state.requested_by_id} & set(signers):
        raise PressReleaseNotSignedOff("Nobody may sign off a release they own or submitted.")
    if revision.user_id in signers:
        # Only the last approver's own embargo, set while approving, is allowed.
        final = approvals[-1]
        first_step_signed = TaskState.objects.filter(
            workflow_state=workflow_state,
            task=approvals[0].task,
            status=TaskState.STATUS_APPROVED,
            finished_by_id=approvals[0].finished_by_id,
        ).exclude(revision=revision)
        if revision.user_id != final.finished_by_id or not any(
            state.revision.user_id not in signers
            and press_release_changes_only_embargo(revision, state.revision)
            for state in first_step_signed.select_related("revision")
        ):
            raise PressReleaseNotSignedOff("Nobody may sign off a version they wrote.")
    go_live_at = revision.as_object().go_live_at
    sign_off = PressReleaseSignOff.objects.create(
        release=release,
        revision=revision,
        workflow_state=workflow_state,
        reviewed_by=approvals[0].finished_by,
        approved_by=approvals[-1].finished_by,
        go_live_at=go_live_at,
        fingerprint=press_release_fingerprint(revision),
    )

    log(
        instance=release,
        action=PRESS_RELEASE_SIGNED_OFF,
        user=user,
        revision=revision,
        data={
            "sign_off": sign_off.pk,
            "reviewed_by": str(sign_off.reviewed_by),
            "approved_by": str(sign_off.approved_by),
            "go_live_at": go_live_at.isoformat() if go_live_at else None,
            "embargo": embargo_label(go_live_at),
        },
    )
    return revision.publish(user=user)


def press_release_published(*, release) -> None:
    """A release has actually gone live (not merely been scheduled): record the delivery
    in the activity calendar and, once the transaction commits, email media contacts."""
    if not release.live:
        return
    activity_record_delivered(
        source=release,
        mode=Activity.Mode.PRESS_RELEASE,
        title=f"Press release: {release.title}",
        delivered_on=timezone.localdate(release.last_published_at or timezone.now()),
        area=release.area,
        operation=release.operation,
        owner=release.owner,
        audience="Media contacts",
    )
    jobs.job_queue(
        tasks.press_release_email_media_contacts,
        release.pk,
        label=f"Press release {release.pk}: email media contacts",
    )


def press_release_email_media_contacts(*, release_id: int) -> int:
    """Email a live release to every media contact who has not had it yet.

    Each contact gets a ledger row (unique per release and address); a row is claimed
    under a row lock, sent, then marked sent in the same transaction, so running the task
    twice, or two workers at once, sends nobody a second copy. Returns how many were sent.
    """

    release = PressReleasePage.objects.live().filter(pk=release_id).first()
    if release is None:
        return 0
    PressReleaseMailing.objects.bulk_create(
        [
            PressReleaseMailing(release=release, email=email.lower(), name=name)
            for email, name in press_release_media_recipients()
        ],
        ignore_conflicts=True,
    )
    sent = 0
    retryable = (PressReleaseMailing.Status.PENDING, PressReleaseMailing.Status.FAILED)
    waiting = PressReleaseMailing.objects.filter(
        release=release, status__in=retryable, attempts__lt=MAILING_MAX_ATTEMPTS
    )
    for mailing_id in waiting.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            mailing = (
                PressReleaseMailing.objects.select_for_update(skip_locked=True)
                .filter(pk=mailing_id, status__in=retryable)
                .first()
            )
            if mailing is None:  # sent meanwhile, or another worker holds it
                continue
            mailing.attempts += 1
            try:
                press_release_message(
                    release=release, email=mailing.email, name=mailing.name
                ).send()
            except Exception as exc:  # any ESP error is kept on the row and retried later
                mailing.status = PressReleaseMailing.Status.FAILED
                mailing.error = str(exc)[:2000]
            else:
                mailing.status = PressReleaseMailing.Status.SENT
                mailing.sent_at = timezone.now()
                mailing.error = ""
                sent += 1
            mailing.save(update_fields=["attempts", "status", "sent_at", "error"])
    if sent:
        log(
            instance=release,
            action=PRESS_RELEASE_EMAILED,
            data={"recipients": sent},
        )
    return sent


def press_release_mailings_retry() -> int:
    """Send again what publication left unsent: mailings that failed at the ESP, or that
    a worker lost between publication and sending, for releases still live, up to
    ``MAILING_MAX_ATTEMPTS`` tries each (beat runs this every 15 minutes). Returns how
    many were sent."""
    release_ids = (
        PressReleaseMailing.objects.filter(
            status__in=(PressReleaseMailing.Status.PENDING, PressReleaseMailing.Status.FAILED),
            attempts__lt=MAILING_MAX_ATTEMPTS,
            release__in=PressReleasePage.objects.live(),
        )
        .order_by()
        .values_list("release_id", flat=True)
        .distinct()
    )
    return sum(press_release_email_media_contacts(release_id=pk) for pk in list(release_ids))


def press_release_message(*, release, email: str, name: str = ""):
    """The release as an email: plain text and HTML, from the initiative."""
    site = release.get_site() or Site.objects.get(is_default_site=True)
    context = {
        "release": release,
        "name": name,
        "initiative": InitiativeSettings.for_site(site),
        "release_url": release.get_full_url(),
    }
    return email_message(
        to=[email],
        subject=f"Press release: {release.title}",
        context=context,
        text_template="email/press_release.txt",
        html=absolutise(render_to_string("email/press_release.html", context)),
        reply_to=[release.media_contact_email] if release.media_contact_email else None,
        tags=["press-release"],
        metadata={"release_id": str(release.pk)},
    )


# --- Telling the next person ---------------------------------------------------------------


def press_release_notice_queue(*, task_state, kind: str) -> None:
    """Have the next person told about a step of a release's sign-off, once, after the
    step's transaction commits."""
    notice, created = PressReleaseNotice.objects.get_or_create(task_state=task_state, kind=kind)
    if created:
        jobs.job_queue(
            tasks.press_release_notice_send,
            notice.pk,
            label=f"Press release sign-off: {notice.get_kind_display().lower()}",
        )


NOTICE_SUBJECTS = {
    PressReleaseNotice.Kind.STEP_OPEN: "Sign-off needed (step {number} of {count}): {title}",
    PressReleaseNotice.Kind.STEP_APPROVED: "Step {number} of {count} approved: {title}",
    PressReleaseNotice.Kind.CHANGES_REQUESTED: "Changes requested: {title}",
}


def _notice_recipients(notice: PressReleaseNotice) -> list[str]:
    task_state = notice.task_state
    if notice.kind == PressReleaseNotice.Kind.STEP_OPEN:
        if task_state.status != TaskState.STATUS_IN_PROGRESS:
            return []  # decided, cancelled or restarted before the email went
        return sorted({user.email for user in press_release_step_signers(task_state)})
    authors = press_release_authors(task_state.workflow_state, but=task_state.finished_by)
    return sorted({user.email for user in authors})


def press_release_notice_send(*, notice_id: int) -> int:
    """Email the next person about one step of a release's sign-off, once: the approvers
    who may sign a step that opened; the author, of a step approved (and who signs next,
    or when it goes live) or of changes requested, with the comment. Returns how many were
    told."""

    def compose(notice: PressReleaseNotice) -> dict:
        progress = press_release_step_progress(notice.task_state)
        release = progress["release"]
        context = {
            **progress,
            "submitted_by": person_name(notice.task_state.workflow_state.requested_by),
            "url": absolute_url(reverse("wagtailadmin_pages:edit", args=[release.pk])),
        }
        subject = NOTICE_SUBJECTS[notice.kind].format(
            number=progress["step_number"], count=progress["step_count"], title=release.title
        )
        return {
            "subject": subject,
            "text_template": f"email/engagement/press_{notice.kind}.txt",
            "context": context,
            "tags": ["sign-off"],
        }

    return email_once(
        PressReleaseNotice.objects.select_related(
            "task_state__workflow_state__requested_by",
            "task_state__finished_by",
            "task_state__task",
            "task_state__revision",
        ).filter(pk=notice_id, notified_at__isnull=True),
        stamp="notified_at",
        recipients=_notice_recipients,
        compose=compose,
    )
