"""Reads for the plan, the newsroom, media enquiries and press release sign-off."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from signpost.figures import day_bounds, moment_as_at, rate
from wagtail.models import Page, Revision, TaskState, WorkflowState

from engagement.stakeholders.selectors import media_contacts

from .models import (
    CommunicationPlanPage,
    MediaEnquiry,
    PressReleaseApprovalTask,
    PressReleaseMailing,
    PressReleasePage,
    PressReleaseSignOff,
)
from .sign_off import embargo_label, sign_off_steps

# --- Media enquiries -------------------------------------------------------------------


def media_enquiries_overdue(now: datetime.datetime | None = None) -> QuerySet:
    """Open enquiries past the outlet's deadline, most overdue first."""
    return MediaEnquiry.objects.overdue(now).select_related("handler").order_by("deadline")


# --- Press releases --------------------------------------------------------------------


def press_release_media_recipients() -> list[tuple[str, str]]:
    """(address, name) of every media contact a published release is emailed to."""
    return [(contact.email, contact.name) for contact in media_contacts()]


# --- Press release sign-off ----------------------------------------------------------------


def press_release_sign_off(*, revision):
    """The completed sign-off that lets ``revision`` go public, or None."""
    return PressReleaseSignOff.objects.letting_go_live(revision)


def person_name(user) -> str:
    return (user.get_full_name() or user.username) if user else "someone no longer here"


def names_joined(names: list[str]) -> str:
    """ "Ana", "Ana or Colin", "Ana, Colin or Dee": who may act next."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def press_release_step_signers(task_state):
    """Who may sign ``task_state``'s step: active members of the step's groups with an
    email address, never the release's owner, its submitter, the author of the version
    under review, or whoever signed another step of that version."""
    workflow_state = task_state.workflow_state
    release = workflow_state.content_object
    signed_other_step = TaskState.objects.filter(
        workflow_state=workflow_state,
        revision_id=task_state.revision_id,
        status=TaskState.STATUS_APPROVED,
    ).exclude(task_id=task_state.task_id)
    barred = {
        getattr(release, "owner_id", None),
        workflow_state.requested_by_id,
        task_state.revision.user_id if task_state.revision_id else None,
    } - {None}
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__in=task_state.task.specific.groups.all())
        .exclude(pk__in=barred)
        .exclude(pk__in=signed_other_step.values("finished_by"))
        .exclude(email="")
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def press_release_authors(workflow_state, *, but=None) -> list:
    """Who is told of each decision: whoever submitted the release and its owner."""
    release = workflow_state.content_object
    people = {workflow_state.requested_by, getattr(release, "owner", None)} - {None, but}
    return sorted((p for p in people if p.is_active and p.email), key=lambda p: p.pk)


def press_release_step_progress(task_state) -> dict:
    """Where a step stands in the release's sign-off, in words: "step 1 of 2", who
    signed it, and who signs next (or, after the last, when the release goes live)."""
    workflow_state = task_state.workflow_state
    release = workflow_state.content_object.specific
    steps = sign_off_steps(workflow_state.workflow)
    ids = [step.pk for step in steps]
    number = ids.index(task_state.task_id) + 1 if task_state.task_id in ids else 0
    progress = {
        "release": release,
        "step_name": task_state.task.name,
        "step_number": number,
        "step_count": len(steps),
        "decided_by": person_name(task_state.finished_by) if task_state.finished_by_id else "",
        "comment": task_state.get_comment() if task_state.finished_at else "",
        "final": False,
        "next_step": "",
        "next_signers": "",
        "embargo": "",
    }
    workflow_state.refresh_from_db()
    current = workflow_state.current_task_state
    if (
        workflow_state.status == WorkflowState.STATUS_IN_PROGRESS
        and current is not None
        and current.pk != task_state.pk
    ):
        progress["next_step"] = current.task.name
        progress["next_step_number"] = (
            ids.index(current.task_id) + 1 if current.task_id in ids else 0
        )
        progress["next_signers"] = names_joined(
            [person_name(user) for user in press_release_step_signers(current)]
        )
    elif workflow_state.status == WorkflowState.STATUS_APPROVED:
        progress["final"] = True
        release.refresh_from_db()
        go_live_at = task_state.revision.as_object().go_live_at if task_state.revision_id else None
        progress["live"] = release.live
        progress["embargo"] = embargo_label(go_live_at) if go_live_at else ""
    return progress


def press_release_progress_text(task_state) -> str:
    """One sentence for the person who just decided a step (the admin's message)."""
    progress = press_release_step_progress(task_state)
    step = f"step {progress['step_number']} of {progress['step_count']}"
    if task_state.status == TaskState.STATUS_REJECTED:
        return (
            f"Changes requested at {step} ({progress['step_name']}). The author has been told"
            f"{', with your comment' if progress['comment'] else ''}."
        )
    if progress["final"]:
        if progress["embargo"] and not progress["live"]:
            return (
                f"Approved {step}: the release is signed off and goes live on "
                f"{progress['embargo']}. The author has been told."
            )
        return (
            f"Approved {step}: the release is signed off and published. The author has been told."
        )
    if progress["next_step"]:
        who = progress["next_signers"] or "no approver who may sign it"
        if progress["next_step_number"] <= progress["step_number"]:
            # The approval came with changes (the editor saved a new version), and a
            # changed release is signed again from the start.
            return (
                f"Approved {step}, with changes, so the changed release is signed again "
                f"from step {progress['next_step_number']} of {progress['step_count']} "
                f"({progress['next_step']}); {who} signs next. They have been emailed."
            )
        return (
            f"Approved {step}; {who} signs next ({progress['next_step']}). They have been emailed."
        )
    return f"Approved {step}."


def press_release_submitted_text(workflow_state) -> str:
    """For the person who just submitted a release: who signs first."""
    current = workflow_state.current_task_state
    if current is None:
        return ""
    progress = press_release_step_progress(current)
    signers = names_joined([person_name(u) for u in press_release_step_signers(current)])
    return (
        f"Submitted for sign-off: {signers or 'no approver may sign it yet'} signs step "
        f"{progress['step_number']} of {progress['step_count']} ({progress['step_name']}). "
        "They have been emailed."
    )


def press_release_latest_decision(release, user):
    """The step of ``release``'s sign-off that ``user`` decided last, or None."""
    return (
        TaskState.objects.filter(
            workflow_state__base_content_type=ContentType.objects.get_for_model(Page),
            workflow_state__object_id=str(release.pk),
            finished_by=user,
            status__in=[TaskState.STATUS_APPROVED, TaskState.STATUS_REJECTED],
        )
        .select_related("workflow_state", "task", "revision")
        .order_by("-finished_at", "-pk")
        .first()
    )


WAITING_LISTED = 5


def press_releases_waiting_for(user) -> dict:
    """Releases at a sign-off step ``user`` may sign (never their own, never a second
    step of one they signed), and their own releases sent back with changes requested.
    The first few of each, oldest first, beside full counts; queries bounded by the
    number of sign-off steps, not of releases."""
    waiting = {"to_sign": [], "to_sign_count": 0, "sent_back": [], "sent_back_count": 0}
    release_type = ContentType.objects.get_for_model(PressReleasePage)
    to_sign = None
    for task in PressReleaseApprovalTask.objects.filter(active=True):
        states = task.get_task_states_user_can_moderate(user)
        to_sign = states if to_sign is None else to_sign | states
    if to_sign is not None:
        to_sign = to_sign.filter(workflow_state__content_type=release_type)
        waiting["to_sign_count"] = to_sign.count()
        if waiting["to_sign_count"]:
            states = list(
                to_sign.select_related("task", "workflow_state").order_by("started_at", "pk")[
                    :WAITING_LISTED
                ]
            )
            titles = _release_titles(state.workflow_state.object_id for state in states)
            waiting["to_sign"] = [
                {
                    "release_id": int(state.workflow_state.object_id),
                    "title": titles.get(state.workflow_state.object_id, ""),
                    "step": state.task.name,
                }
                for state in states
            ]
    if user.has_perm("wagtailadmin.access_admin"):
        sent_back = WorkflowState.objects.filter(
            status=WorkflowState.STATUS_NEEDS_CHANGES,
            requested_by=user,
            content_type=release_type,
        )
        waiting["sent_back_count"] = sent_back.count()
        if waiting["sent_back_count"]:
            states = list(sent_back.order_by("created_at", "pk")[:WAITING_LISTED])
            titles = _release_titles(state.object_id for state in states)
            waiting["sent_back"] = [
                {"release_id": int(state.object_id), "title": titles.get(state.object_id, "")}
                for state in states
            ]
    return waiting


def _release_titles(object_ids) -> dict[str, str]:
    ids = [int(pk) for pk in object_ids]
    return {
        str(pk): title
        for pk, title in Page.objects.filter(pk__in=ids).values_list("pk", "draft_title")
    }


# --- Figures for reports and the dashboard ----------------------------------------------

RELEASES_SHOWN = 5


def communications_section(
    *, start: datetime.date, end: datetime.date, today: datetime.date
) -> dict:
    """Press releases published in the period and waiting for sign-off or their embargo
    now; media enquiries received in the period, answered by the outlet's deadline or
    not, and open or overdue now; the communication plan's review date. Five queries."""
    now = moment_as_at(today)
    start_at, end_before = day_bounds(start, end)
    published_in_period = Q(first_published_at__gte=start_at, first_published_at__lt=end_before)
    page_type = ContentType.objects.get_for_model(Page)
    this_page = {"base_content_type": page_type, "object_id": Cast(OuterRef("pk"), CharField())}
    in_sign_off = Exists(
        WorkflowState.objects.filter(**this_page, status=WorkflowState.STATUS_IN_PROGRESS)
    )
    scheduled = Exists(Revision.objects.filter(**this_page, approved_go_live_at__gt=now))
    releases = PressReleasePage.objects.order_by().aggregate(
        published=Count("pk", filter=published_in_period & Q(live=True)),
        live=Count("pk", filter=Q(live=True)),
        awaiting_sign_off=Count("pk", filter=Q(in_sign_off)),
        embargoed=Count("pk", filter=Q(scheduled)),
    )
    mailings = PressReleaseMailing.objects.filter(
        sent_at__gte=start_at, sent_at__lt=end_before
    ).count()
    latest = (
        PressReleasePage.objects.live()
        .filter(published_in_period)
        .order_by("-first_published_at", "-pk")
        .values("title", "first_published_at")[:RELEASES_SHOWN]
    )

    received = Q(received_at__gte=start_at, received_at__lt=end_before)
    open_now = Q(status__in=MediaEnquiry.OPEN_STATUSES)
    enquiries = MediaEnquiry.objects.order_by().aggregate(
        received=Count("pk", filter=received),
        responded=Count("pk", filter=received & Q(responded_at__isnull=False)),
        on_time=Count("pk", filter=received & Q(responded_at__lte=F("deadline"))),
        late=Count("pk", filter=received & Q(responded_at__gt=F("deadline"))),
        open=Count("pk", filter=open_now),
        overdue=Count("pk", filter=open_now & Q(deadline__lt=now)),
    )

    plan = (
        CommunicationPlanPage.objects.live()
        .only("title", "review_date", "key_messages", "channels", "spokesperson_name")
        .first()
    )
    return {
        "releases": {
            **releases,
            "mailings_sent": mailings,
            "latest": [
                {
                    "title": r["title"],
                    "published_on": timezone.localtime(r["first_published_at"]).date().isoformat(),
                }
                for r in latest
            ],
        },
        "enquiries": {
            **enquiries,
            "on_time_rate": rate(enquiries["on_time"], enquiries["responded"]),
        },
        "plan": None
        if plan is None
        else {
            "title": plan.title,
            "review_date": plan.review_date.isoformat(),
            "review_due": plan.review_date <= today,
            "key_messages": len(plan.key_messages),
            "channels": len(plan.channels),
            "spokesperson": plan.spokesperson_name,
        },
    }
