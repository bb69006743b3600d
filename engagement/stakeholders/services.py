"""Every write to the stakeholder register and the engagement log, one function per action."""

import datetime
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from signpost import jobs
from signpost.links import absolute_url
from signpost.mail import email_send, role_email_once
from signpost.roles import COMMUNICATIONS_OFFICER, role_member_emails
from signpost.sanitise import clean_text
from wagtail.log_actions import log

from engagement.activities.models import Activity
from engagement.activities.services import activity_record_delivered

from . import tasks
from .importing import stakeholder_import_check
from .models import (
    Engagement,
    Quadrant,
    Stakeholder,
    StakeholderAlert,
    StakeholderAssessment,
    grid_threshold,
)
from .search import stakeholder_index_deferred
from .strategy import next_action_for


def stakeholder_next_action(stakeholder: Stakeholder) -> tuple[str, datetime.date | None]:
    """What to do next for a stakeholder and by when, from its quadrant's strategy."""
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
        jobs.job_queue(
            tasks.stakeholder_alert_email_send,
            alert.pk,
            label=f"Stakeholder alert {alert.pk}: email the communications officers",
        )
    return assessment


STAKEHOLDER_IMPORTED = "engagement.stakeholder.imported"


def stakeholders_import(*, file, imported_by, filename: str = ""):
    """Import a CSV of stakeholders all or nothing.

    Every row is checked first (``stakeholders.importing``); any problem, and nothing is
    written. A clean file creates each stakeholder as the admin's add form does, with its
    first dated assessment through ``stakeholder_assess`` when it is scored, and an
    audit-log entry saying who imported it from which file and row, all in one
    transaction, so a failure part-way leaves nothing behind.
    """

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

    StakeholderAlert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=user
    )
    alert.refresh_from_db()
    return alert


def stakeholder_alert_email_send(*, alert_id: int) -> int:
    """Email the communications officers about one rising-interest alert, once.

    The alert row is locked while sending and stamped in the same transaction, so a
    second run (a retried task) sends nothing.
    """

    def compose(alert: StakeholderAlert) -> dict:
        url = absolute_url(
            reverse("wagtailsnippets_engagement_stakeholder:inspect", args=[alert.stakeholder_id])
        )
        context = {"alert": alert, "stakeholder": alert.stakeholder, "url": url}
        return {
            "subject": render_to_string("email/engagement/stakeholder_alert_subject.txt", context),
            "text_template": "email/engagement/stakeholder_alert.txt",
            "context": context,
        }

    return role_email_once(
        StakeholderAlert.objects.select_related("stakeholder", "assessment__assessed_by").filter(
            pk=alert_id, emailed_at__isnull=True
        ),
        stamp="emailed_at",
        role=COMMUNICATIONS_OFFICER,
        compose=compose,
    )


def stakeholder_overdue_remind_send(*, on: datetime.date | None = None) -> int:
    """Refresh every stakeholder's next-due date, then email the communications
    officers one digest of re-assessments, actions and follow-ups that became overdue
    since the last reminder.

    Each stakeholder is reminded once per due date (``overdue_reminded_for``) and each
    follow-up once (``follow_up_reminded_on``), stamped in the transaction that sends,
    so running the task twice sends nothing the second time.
    """
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
                    "url": absolute_url(
                        reverse("wagtailsnippets_engagement_stakeholder:inspect", args=[s.pk])
                    ),
                }
                for s in overdue
            ]
            follow_up_items = [
                {
                    "engagement": e,
                    "url": absolute_url(
                        reverse("wagtailsnippets_engagement_engagement:edit", args=[e.pk])
                    ),
                }
                for e in follow_ups
            ]
            email_send(
                to=recipients,
                subject=f"Stakeholder register: {len(items) + len(follow_up_items)} overdue",
                text_template="email/engagement/stakeholder_overdue.txt",
                context={"items": items, "follow_ups": follow_up_items, "on": on},
            )
        Stakeholder.objects.filter(pk__in=[s.pk for s in overdue]).update(
            overdue_reminded_for=F("next_action_due")
        )
        Engagement.objects.filter(pk__in=[e.pk for e in follow_ups]).update(
            follow_up_reminded_on=on
        )
    return len(overdue) + len(follow_ups)


def stakeholders_refresh_last_engaged(*, stakeholder_ids) -> None:
    """Recompute last-engaged dates (and so next-due dates) from the engagement log."""

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
