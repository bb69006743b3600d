"""Every write in the engagement app, one function per action."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from signpost.roles import COMMUNICATIONS_OFFICER, role_member_emails
from signpost.sanitise import clean_text

from .models import (
    Activity,
    Area,
    Engagement,
    Operation,
    Quadrant,
    Stakeholder,
    StakeholderAlert,
    StakeholderAssessment,
    grid_threshold,
)
from .search import stakeholder_index_deferred

# A planned activity counts as delivered by a Signpost action of the same mode and area
# this many days either side of its planned date.
PLANNED_MATCH_WINDOW_DAYS = 14


@transaction.atomic
def activity_record_delivered(
    *,
    source,
    mode: str,
    title: str,
    delivered_on: datetime.date,
    area: Area | None = None,
    operation: Operation | None = None,
    owner=None,
    audience: str = "",
) -> Activity:
    """Record in the activity calendar that Signpost delivered something.

    Idempotent per ``source``: calling it again for the same campaign, print run or release
    returns the existing record. A matching planned activity (same mode and area, not yet
    delivered, planned within the window) is marked delivered rather than duplicated.
    """
    source_type = ContentType.objects.get_for_model(source)
    existing = Activity.objects.filter(source_type=source_type, source_id=str(source.pk)).first()
    if existing:
        return existing
    window = datetime.timedelta(days=PLANNED_MATCH_WINDOW_DAYS)
    planned = (
        Activity.objects.select_for_update()
        .filter(
            mode=mode,
            area=area,
            delivered_on__isnull=True,
            source_type__isnull=True,
            planned_on__range=(delivered_on - window, delivered_on + window),
        )
        .order_by("planned_on")
        .first()
    )
    activity = planned or Activity(mode=mode, area=area, title=title, audience=audience)
    activity.delivered_on = delivered_on
    activity.source_type = source_type
    activity.source_id = str(source.pk)
    activity.operation = activity.operation or operation
    activity.owner = activity.owner or owner
    activity.save()
    return activity


# --- Stakeholder register ----------------------------------------------------------------


def stakeholder_next_action(stakeholder: Stakeholder) -> tuple[str, datetime.date | None]:
    """What to do next for a stakeholder and by when, from its quadrant's strategy."""
    from .strategy import next_action_for

    return next_action_for(stakeholder)


def stakeholder_refresh_plan(*, stakeholder: Stakeholder) -> Stakeholder:
    """Recompute the denormalised last-engaged and next-due dates after a change."""
    _action, due = stakeholder_next_action(stakeholder)
    stakeholder.next_action_due = due
    Stakeholder.objects.filter(pk=stakeholder.pk).update(
        next_action_due=due, last_engaged_on=stakeholder.last_engaged_on
    )
    return stakeholder


def _rising_interest(previous: StakeholderAssessment | None, current: StakeholderAssessment):
    """The alert reason, if a watched or informed stakeholder's interest rose enough."""
    if previous is None or previous.quadrant not in (Quadrant.WATCH, Quadrant.INFORM):
        return None
    if previous.interest < grid_threshold() <= current.interest:
        return StakeholderAlert.Reason.CROSSED_THRESHOLD
    if current.interest - previous.interest >= 2:
        return StakeholderAlert.Reason.ROSE_TWO_POINTS
    return None


@transaction.atomic
def stakeholder_assess(
    *,
    stakeholder: Stakeholder,
    interest: int,
    influence: int,
    reason: str,
    assessed_by=None,
    assessed_on: datetime.date | None = None,
) -> StakeholderAssessment:
    """Record a dated scoring, copy it onto the stakeholder, and flag rising interest.

    The alert is a row tied to the assessment (one per rise); the email to the
    communications officers is queued only once the transaction commits.
    """
    from django.utils import timezone

    assessed_on = assessed_on or timezone.localdate()
    stakeholder = Stakeholder.objects.select_for_update().get(pk=stakeholder.pk)
    previous = stakeholder.assessments.order_by("-assessed_on", "-created_at").first()
    errors = {}
    for field, value in (("interest", interest), ("influence", influence)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[field] = "Score from 1 (lowest) to 5 (highest)."
    if assessed_on > timezone.localdate():
        errors["assessed_on"] = "An assessment cannot be dated in the future."
    elif previous and assessed_on < previous.assessed_on:
        errors["assessed_on"] = (
            f"The latest assessment is dated {previous.assessed_on:%d %b %Y}; "
            "a new one cannot be dated before it."
        )
    reason = clean_text(reason)
    if not reason:
        errors["reason"] = "Say why the stakeholder is scored this way."
    if errors:
        raise ValidationError(errors)

    assessment = StakeholderAssessment.objects.create(
        stakeholder=stakeholder,
        interest=interest,
        influence=influence,
        reason=reason,
        assessed_by=assessed_by,
        assessed_on=assessed_on,
    )
    stakeholder.interest, stakeholder.influence = interest, influence
    stakeholder.assessed_on = assessed_on
    stakeholder.updated_at = timezone.now()
    # An UPDATE rather than save(): scores are not searched, so the search index (rebuilt
    # on every save) is left alone, which keeps a bulk import's cost per row down.
    Stakeholder.objects.filter(pk=stakeholder.pk).update(
        interest=interest,
        influence=influence,
        assessed_on=assessed_on,
        updated_at=stakeholder.updated_at,
    )
    stakeholder_refresh_plan(stakeholder=stakeholder)

    alert_reason = _rising_interest(previous, assessment)
    if alert_reason:
        alert = StakeholderAlert.objects.create(
            stakeholder=stakeholder,
            assessment=assessment,
            reason=alert_reason,
            from_interest=previous.interest,
            to_interest=interest,
            from_quadrant=previous.quadrant,
            to_quadrant=assessment.quadrant,
        )
        from .tasks import stakeholder_alert_email

        transaction.on_commit(lambda: stakeholder_alert_email.delay(alert.pk))
    return assessment


STAKEHOLDER_IMPORTED = "engagement.stakeholder.imported"


def stakeholders_import(*, file, imported_by, filename: str = ""):
    """Import a CSV of stakeholders all or nothing.

    Every row is checked first (``engagement.importing``); any problem, and nothing is
    written. A clean file creates each stakeholder as the admin's add form does, with its
    first dated assessment through ``stakeholder_assess`` when it is scored, and an
    audit-log entry saying who imported it from which file and row, all in one
    transaction, so a failure part-way leaves nothing behind.
    """
    from uuid import uuid4

    from wagtail.log_actions import log

    from .importing import stakeholder_import_check

    with transaction.atomic():
        # Checked inside the transaction, so the duplicates found are those it writes beside.
        check = stakeholder_import_check(file=file, filename=filename)
        if not check.is_clean:
            return check
        area_links = []
        with stakeholder_index_deferred():
            for row in check.rows:
                stakeholder = row.form.save()
                area_links += [
                    Stakeholder.areas.through(stakeholder=stakeholder, area=area)
                    for area in row.areas
                ]
                data = row.form.cleaned_data
                if data.get("score_interest") is not None:
                    stakeholder_assess(
                        stakeholder=stakeholder,
                        interest=data["score_interest"],
                        influence=data["score_influence"],
                        reason=data["score_reason"],
                        assessed_on=data.get("score_assessed_on"),
                        assessed_by=imported_by,
                    )
                else:
                    stakeholder_refresh_plan(stakeholder=stakeholder)
                log(
                    instance=stakeholder,
                    action=STAKEHOLDER_IMPORTED,
                    user=imported_by,
                    data={"filename": check.filename, "row": row.row},
                    # Wagtail's history shows one entry per (uuid, action) across all objects;
                    # the request's shared uuid would hide every stakeholder's entry but the last.
                    uuid=uuid4(),
                )
        Stakeholder.areas.through.objects.bulk_create(area_links)
    return check


def stakeholder_alert_acknowledge(*, alert: StakeholderAlert, user) -> StakeholderAlert:
    from django.utils import timezone

    StakeholderAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user
    )
    alert.refresh_from_db()
    return alert


def _admin_url(path: str) -> str:
    from django.conf import settings

    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def stakeholder_alert_email_send(*, alert_id: int) -> int:
    """Email the communications officers about one rising-interest alert, once.

    The alert row is locked while sending and stamped in the same transaction, so a
    second run (a retried task) sends nothing.
    """
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import timezone

    with transaction.atomic():
        alert = (
            StakeholderAlert.objects.select_for_update(of=("self",))
            .select_related("stakeholder", "assessment__assessed_by")
            .filter(pk=alert_id, emailed_at__isnull=True)
            .first()
        )
        if alert is None:
            return 0
        recipients = role_member_emails(COMMUNICATIONS_OFFICER)
        if recipients:
            url = _admin_url(
                reverse(
                    "wagtailsnippets_engagement_stakeholder:inspect", args=[alert.stakeholder_id]
                )
            )
            context = {"alert": alert, "stakeholder": alert.stakeholder, "url": url}
            subject = render_to_string("email/engagement/stakeholder_alert_subject.txt", context)
            body = render_to_string("email/engagement/stakeholder_alert.txt", context)
            EmailMessage(" ".join(subject.split()), body, to=recipients).send()
        alert.emailed_at = timezone.now()
        alert.save(update_fields=["emailed_at"])
    return len(recipients)


def stakeholder_overdue_remind_send(*, on: datetime.date | None = None) -> int:
    """Refresh every stakeholder's next-due date, then email the communications
    officers one digest of re-assessments, actions and follow-ups that became overdue
    since the last reminder.

    Each stakeholder is reminded once per due date (``overdue_reminded_for``) and each
    follow-up once (``follow_up_reminded_on``), stamped in the transaction that sends,
    so running the task twice sends nothing the second time.
    """
    from django.core.mail import EmailMessage
    from django.db.models import F, Q
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import timezone

    on = on or timezone.localdate()
    for stakeholder in Stakeholder.objects.iterator():
        _action, due = stakeholder_next_action(stakeholder)
        if due != stakeholder.next_action_due:
            Stakeholder.objects.filter(pk=stakeholder.pk).update(next_action_due=due)

    with transaction.atomic():
        overdue = list(
            Stakeholder.objects.select_for_update()
            .filter(next_action_due__lt=on)
            .filter(
                Q(overdue_reminded_for__isnull=True) | ~Q(overdue_reminded_for=F("next_action_due"))
            )
            .order_by("next_action_due", "name")
        )
        follow_ups = list(
            Engagement.objects.select_for_update()
            .follow_up_overdue(on)
            .filter(follow_up_reminded_on__isnull=True)
            .order_by("follow_up_due", "pk")
        )
        if not overdue and not follow_ups:
            return 0
        recipients = role_member_emails(COMMUNICATIONS_OFFICER)
        if recipients:
            items = [
                {
                    "stakeholder": s,
                    "action": stakeholder_next_action(s)[0],
                    "url": _admin_url(
                        reverse("wagtailsnippets_engagement_stakeholder:inspect", args=[s.pk])
                    ),
                }
                for s in overdue
            ]
            follow_up_items = [
                {
                    "engagement": e,
                    "url": _admin_url(
                        reverse("wagtailsnippets_engagement_engagement:edit", args=[e.pk])
                    ),
                }
                for e in follow_ups
            ]
            context = {"items": items, "follow_ups": follow_up_items, "on": on}
            body = render_to_string("email/engagement/stakeholder_overdue.txt", context)
            subject = f"Stakeholder register: {len(items) + len(follow_up_items)} overdue"
            EmailMessage(subject, body, to=recipients).send()
        Stakeholder.objects.filter(pk__in=[s.pk for s in overdue]).update(
            overdue_reminded_for=F("next_action_due")
        )
        Engagement.objects.filter(pk__in=[e.pk for e in follow_ups]).update(
            follow_up_reminded_on=on
        )
    return len(overdue) + len(follow_ups)


def stakeholders_refresh_last_engaged(*, stakeholder_ids) -> None:
    """Recompute last-engaged dates (and so next-due dates) from the engagement log."""
    from django.db.models import Max

    for stakeholder in Stakeholder.objects.filter(pk__in=set(stakeholder_ids)).annotate(
        latest=Max("engagements__occurred_on")
    ):
        stakeholder.last_engaged_on = stakeholder.latest
        stakeholder_refresh_plan(stakeholder=stakeholder)


@transaction.atomic
def engagement_record_logged(
    *, engagement: Engagement, user=None, previous_stakeholder_ids=()
) -> Engagement:
    """After an engagement is logged or edited: stamp who logged it, bring the
    stakeholders' last-engaged and next-due dates up to date, and record forum
    meetings, door-to-door sessions, presentations and one-to-ones as delivered in the
    activity calendar."""
    if engagement.logged_by_id is None and user is not None:
        Engagement.objects.filter(pk=engagement.pk).update(logged_by=user)
        engagement.logged_by = user
    current_ids = set(engagement.stakeholders.values_list("pk", flat=True))
    stakeholders_refresh_last_engaged(stakeholder_ids=current_ids | set(previous_stakeholder_ids))

    activity_mode = Engagement.CALENDAR_MODES.get(engagement.mode)
    if activity_mode:
        activity = activity_record_delivered(
            source=engagement,
            mode=activity_mode,
            title=engagement.title,
            delivered_on=engagement.occurred_on,
            area=engagement.area,
            operation=engagement.operation,
            owner=user,
        )
        if activity.delivered_on != engagement.occurred_on:
            # The engagement's date was corrected after it was first logged.
            Activity.objects.filter(pk=activity.pk).update(delivered_on=engagement.occurred_on)
    return engagement


# --- Press releases --------------------------------------------------------------------

PRESS_RELEASE_WORKFLOW_NAME = "Press release sign-off"
PRESS_RELEASE_EMAILED = "engagement.press_release.emailed"
MAILING_MAX_ATTEMPTS = 5


PRESS_RELEASE_WORKFLOW_STEPS = ["Co-ordinator review", "Spokesperson approval"]


@transaction.atomic
def press_release_workflow_ensure():
    """The sign-off workflow (made by a data migration), made again if it was deleted:
    a newsroom must never be left without sign-off."""
    from django.contrib.auth.models import Group
    from signpost.roles import APPROVER
    from wagtail.models import Workflow, WorkflowTask

    from .models import PressReleaseApprovalTask

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
    from wagtail.models import WorkflowPage

    if WorkflowPage.objects.filter(page=newsroom).exists():
        return
    WorkflowPage.objects.create(page=newsroom, workflow=press_release_workflow_ensure())


PRESS_RELEASE_STEP_SIGNED = "engagement.press_release.step_signed"
PRESS_RELEASE_SIGNED_OFF = "engagement.press_release.signed_off"
PRESS_RELEASE_PUBLISH_REFUSED = "engagement.press_release.publish_refused"

# How each refused door is named in the audit log.
PUBLISH_DOORS = {
    "publish": "Publish",
    "add": "Publish on creation",
    "edit": "Publish from the editor",
    "bulk": "Bulk publish",
    "copy": "Publish a copy",
    "scheduled": "Scheduled publishing",
    "revert": "Publish an earlier version",
    "api": "Publish through the admin API",
}


def _sign_off_steps(workflow) -> list:
    return [
        workflow_task.task
        for workflow_task in workflow.workflow_tasks.filter(task__active=True)
        .select_related("task")
        .order_by("sort_order")
    ]


def _embargo_label(go_live_at) -> str:
    if not go_live_at:
        return "none (publish on approval)"
    return f"{timezone.localtime(go_live_at):%d %B %Y %H:%M}"


def press_release_step_prepare(*, task_state, user):
    """Let the last approver set the embargo as part of approving. When the latest
    revision is hers and changes nothing but the embargo of the revision the earlier
    step signed, this step and the earlier approvals are carried onto it, so approving
    completes the sign-off with her embargo instead of sending the release back. Any
    other change since the earlier step leaves the release to go back to the first step."""
    from wagtail.models import TaskState

    from .selectors import press_release_changes_only_embargo

    workflow_state = task_state.workflow_state
    release = workflow_state.content_object.specific
    latest = release.get_latest_revision()
    steps = _sign_off_steps(workflow_state.workflow)
    if (
        latest is None
        or latest.pk == task_state.revision_id
        or not steps
        or steps[-1].pk != task_state.task_id
        or latest.user_id != user.pk
        or not press_release_changes_only_embargo(latest, task_state.revision)
    ):
        return task_state
    with transaction.atomic():
        earlier = TaskState.objects.filter(
            workflow_state=workflow_state,
            revision_id=task_state.revision_id,
            status=TaskState.STATUS_APPROVED,
        ).exclude(pk=task_state.pk)
        for state in earlier:
            state.copy(update_attrs={"revision": latest})
        task_state.revision = latest
        task_state.save(update_fields=["revision"])
    return task_state


def press_release_step_signed(*, task_state, user) -> None:
    """Write into the release's history who passed which step, with the embargo they
    approved."""
    from wagtail.log_actions import log

    release = task_state.workflow_state.content_object.specific
    go_live_at = task_state.revision.as_object().go_live_at
    log(
        instance=release,
        action=PRESS_RELEASE_STEP_SIGNED,
        user=user,
        revision=task_state.revision,
        data={
            "step": task_state.task.name,
            "go_live_at": go_live_at.isoformat() if go_live_at else None,
            "embargo": _embargo_label(go_live_at),
        },
    )


@transaction.atomic
def press_release_sign_off_complete(*, workflow_state, user=None):
    """The sign-off workflow has passed its last step: check that two different people,
    neither the release's owner, its submitter nor the author of what they signed,
    passed the steps of the revision to publish; record the sign-off; publish (or
    schedule) that revision. Other workflows publish as Wagtail does."""
    from wagtail.models import TaskState
    from wagtail.workflows import publish_workflow_state

    from .models import PressReleaseNotSignedOff, PressReleasePage, PressReleaseSignOff
    from .selectors import press_release_changes_only_embargo, press_release_fingerprint

    release = workflow_state.content_object.specific
    if not isinstance(release, PressReleasePage):
        return publish_workflow_state(workflow_state, user=user)
    revision = release.get_latest_revision()
    approvals = []
    for step in _sign_off_steps(workflow_state.workflow):
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
    from wagtail.log_actions import log

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
            "embargo": _embargo_label(go_live_at),
        },
    )
    return revision.publish(user=user)


def press_release_publish_refusal_log(*, release, user=None, door: str = "publish") -> None:
    """Put a refused attempt to publish a release outside sign-off in the audit log."""
    from wagtail.log_actions import log

    log(
        instance=release,
        action=PRESS_RELEASE_PUBLISH_REFUSED,
        user=user if user is not None and user.is_authenticated else None,
        data={"door": door, "door_label": PUBLISH_DOORS.get(door, door)},
    )


def press_release_publish_refuse(*, release, revision, user=None, door: str = "publish"):
    """Refuse to publish a revision that did not complete sign-off, on the record. The
    scheduler is told quietly (the revision is taken off the schedule, so it is not
    tried again every minute); every other caller gets ``PressReleaseNotSignedOff``."""
    from .models import PressReleaseNotSignedOff

    press_release_publish_refusal_log(release=release, user=user, door=door)
    if door == "scheduled":
        type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=None)
        return None
    raise PressReleaseNotSignedOff(
        "This version of the press release has not completed sign-off, so it cannot be "
        "published. Submit it to the sign-off workflow."
    )


def press_release_published(*, release) -> None:
    """A release has actually gone live (not merely been scheduled): record the delivery
    in the activity calendar and, once the transaction commits, email media contacts."""
    from .models import Activity
    from .tasks import press_release_email_media_contacts

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
    transaction.on_commit(lambda: press_release_email_media_contacts.delay(release.pk))


def press_release_email_media_contacts(*, release_id: int) -> int:
    """Email a live release to every media contact who has not had it yet.

    Each contact gets a ledger row (unique per release and address); a row is claimed
    under a row lock, sent, then marked sent in the same transaction, so running the task
    twice, or two workers at once, sends nobody a second copy. Returns how many were sent.
    """
    from wagtail.log_actions import log

    from .models import PressReleaseMailing, PressReleasePage
    from .selectors import press_release_media_recipients

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
    from .models import PressReleaseMailing, PressReleasePage

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
    from django.conf import settings
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from signpost.models import InitiativeSettings
    from wagtail.models import Site

    from newsletters.email import absolutise

    site = release.get_site() or Site.objects.get(is_default_site=True)
    context = {
        "release": release,
        "name": name,
        "initiative": InitiativeSettings.for_site(site),
        "release_url": release.get_full_url(),
    }
    message = EmailMultiAlternatives(
        # A header is one line: a title pasted with a line break must not make every
        # media email fail (Django refuses a header with a newline in it).
        subject=" ".join(f"Press release: {release.title}".split()),
        body=render_to_string("email/press_release.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        reply_to=[release.media_contact_email] if release.media_contact_email else None,
    )
    html = absolutise(render_to_string("email/press_release.html", context))
    message.attach_alternative(html, "text/html")
    message.tags = ["press-release"]
    message.metadata = {"release_id": str(release.pk)}
    return message
