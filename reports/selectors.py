"""The figures of the dashboard and of progress reports, one selector per section.

Each app answers for its own figures through its selectors (printing, surveys,
newsletters); this module composes them into a report, asking each for the same days.
Every figure is counted by the database (``aggregate``/``annotate`` with filtered
``Count``/``Sum``), so each section costs the same few queries however much data there
is. Each selector returns plain JSON-ready values: an issued report stores them as its
snapshot, and the same templates show a live draft and an issued report.
"""

import datetime

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from signpost.figures import rate

from engagement.models import (
    Activity,
    Quadrant,
    Stakeholder,
    StakeholderAssessment,
    quadrant_expression,
)
from engagement.press.selectors import media_enquiries_overdue
from engagement.stakeholders.selectors import stakeholder_quadrant_counts
from engagement.stakeholders.strategy import interval_days, reassess_days
from newsletters.selectors import newsletter_section
from printing.selectors import printing_section
from surveys.selectors import survey_section, survey_waves_open

from .periods import Period

# --- Engagement --------------------------------------------------------------------------
# Stakeholders, the activity calendar, press and media, and the engagement log: counted
# here from engagement's models until engagement answers for them through its own
# selectors. Everything from here to "Whole report" goes there together.

QUADRANT_ORDER = [Quadrant.INVOLVE, Quadrant.CONSULT, Quadrant.INFORM, Quadrant.WATCH]


# --- Stakeholders ------------------------------------------------------------------------


def _assessments_with_previous():
    """Each assessment beside the stakeholder's scoring just before it."""
    earlier = StakeholderAssessment.objects.filter(stakeholder=OuterRef("stakeholder")).filter(
        Q(assessed_on__lt=OuterRef("assessed_on"))
        | Q(assessed_on=OuterRef("assessed_on"), created_at__lt=OuterRef("created_at"))
    )
    earlier = earlier.order_by("-assessed_on", "-created_at")
    return StakeholderAssessment.objects.annotate(
        prev_interest=Subquery(earlier.values("interest")[:1], output_field=IntegerField()),
        prev_influence=Subquery(earlier.values("influence")[:1], output_field=IntegerField()),
    ).annotate(
        from_quadrant=quadrant_expression("prev_"),
        to_quadrant=quadrant_expression(),
    )


def stakeholder_moves(period: Period):
    """Assessments in the period that moved a stakeholder to another quadrant, newest
    first (names included: for users allowed to see the register)."""
    return (
        _assessments_with_previous()
        .filter(assessed_on__range=(period.start, period.end), prev_interest__isnull=False)
        .exclude(from_quadrant=F("to_quadrant"))
        .select_related("stakeholder")
        .order_by("-assessed_on", "-created_at")
    )


def stakeholder_section(period: Period, *, today: datetime.date) -> dict:
    """Stakeholders per quadrant now, moves between quadrants in the period (counts
    only, no names: reports go to partners), and actions overdue today. Three queries."""
    quadrants = stakeholder_quadrant_counts()
    watch_due = today - datetime.timedelta(days=interval_days(Quadrant.WATCH))
    reassess_due = today - datetime.timedelta(days=reassess_days())
    totals = (
        Stakeholder.objects.with_quadrant()
        .order_by()
        .aggregate(
            total=Count("pk"),
            unscored=Count("pk", filter=Q(interest__isnull=True)),
            actions_overdue=Count("pk", filter=Q(next_action_due__lt=today)),
            reassessments_overdue=Count(
                "pk",
                filter=Q(interest__isnull=True)
                | Q(assessed_on__lt=reassess_due)
                | Q(current_quadrant=Quadrant.WATCH.value, assessed_on__lt=watch_due),
            ),
        )
    )
    move_rows = (
        stakeholder_moves(period)
        .order_by()
        .values("from_quadrant", "to_quadrant")
        .annotate(n=Count("pk"))
        .order_by("from_quadrant", "to_quadrant")
    )
    labels = dict(Quadrant.choices)
    moves = [
        {
            "from": labels.get(row["from_quadrant"], row["from_quadrant"]),
            "to": labels.get(row["to_quadrant"], row["to_quadrant"]),
            "count": row["n"],
        }
        for row in move_rows
    ]
    return {
        "quadrants": [
            {"key": q.value, "label": q.label, "count": quadrants.get(q.value, 0)}
            for q in QUADRANT_ORDER
        ],
        "total": totals["total"],
        "unscored": totals["unscored"],
        "actions_overdue": totals["actions_overdue"],
        "reassessments_overdue": totals["reassessments_overdue"],
        "moves": moves,
        "moved": sum(m["count"] for m in moves),
    }


# --- Activity calendar -------------------------------------------------------------------


def activity_section(period: Period, *, today: datetime.date) -> dict:
    """Activities planned in the period against those delivered, per mode of
    communication. Two queries."""
    in_period = (period.start, period.end)
    counts = {
        "planned": Count("pk", filter=Q(planned_on__range=in_period)),
        "delivered": Count("pk", filter=Q(delivered_on__range=in_period)),
        "planned_delivered": Count(
            "pk", filter=Q(planned_on__range=in_period, delivered_on__isnull=False)
        ),
        "not_delivered": Count(
            "pk",
            filter=Q(planned_on__range=in_period, planned_on__lt=today, delivered_on__isnull=True),
        ),
    }
    relevant = Activity.objects.filter(
        Q(planned_on__range=in_period) | Q(delivered_on__range=in_period)
    ).order_by()
    rows = relevant.values("mode").annotate(**counts).order_by("mode")
    labels = dict(Activity.Mode.choices)
    modes = sorted(
        ({"mode": labels.get(r.pop("mode"), "Other"), **r} for r in rows),
        key=lambda r: r["mode"],
    )
    totals = relevant.aggregate(**counts)
    return {"modes": modes, **totals}


# --- Press releases, media enquiries and the plan ---------------------------------------

RELEASES_SHOWN = 5


def _moment(today: datetime.date) -> datetime.datetime:
    """'Now' for a report as at ``today``: now itself when that is today, otherwise the
    end of that day, so a report for a past date counts what was overdue then."""
    if today == timezone.localdate():
        return timezone.now()
    return Period(today, today).end_before


def communications_section(period: Period, *, today: datetime.date) -> dict:
    """Press releases published in the period and waiting for sign-off or their embargo
    now; media enquiries received in the period, answered by the outlet's deadline or
    not, and open or overdue now; the communication plan's review date. Five queries."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, Revision, WorkflowState

    from engagement.models import (
        CommunicationPlanPage,
        MediaEnquiry,
        PressReleaseMailing,
        PressReleasePage,
    )

    now = _moment(today)
    published_in_period = Q(
        first_published_at__gte=period.start_at, first_published_at__lt=period.end_before
    )
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
        sent_at__gte=period.start_at, sent_at__lt=period.end_before
    ).count()
    latest = (
        PressReleasePage.objects.live()
        .filter(published_in_period)
        .order_by("-first_published_at", "-pk")
        .values("title", "first_published_at")[:RELEASES_SHOWN]
    )

    received = Q(received_at__gte=period.start_at, received_at__lt=period.end_before)
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


# --- Engagement log ----------------------------------------------------------------------


def engagement_section(period: Period, *, today: datetime.date) -> dict:
    """Engagements logged in the period by mode (door-to-door and forum meetings keep
    counts only), and follow-ups open and overdue today. Two queries."""
    from engagement.models import Engagement

    rows = (
        Engagement.objects.filter(occurred_on__range=(period.start, period.end))
        .order_by()
        .values("mode")
        .annotate(
            count=Count("pk"),
            doors_knocked=Coalesce(Sum("doors_knocked"), Value(0)),
            conversations=Coalesce(Sum("conversations"), Value(0)),
            attendance=Coalesce(Sum("attendance_count"), Value(0)),
        )
        .order_by("mode")
    )
    labels = dict(Engagement.Mode.choices)
    modes = [{"mode": labels.get(r.pop("mode"), "Other"), **r} for r in rows]
    follow_ups = Engagement.objects.follow_up_open().aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(follow_up_due__lt=today))
    )
    return {
        "modes": modes,
        "count": sum(m["count"] for m in modes),
        "doors_knocked": sum(m["doors_knocked"] for m in modes),
        "conversations": sum(m["conversations"] for m in modes),
        "follow_ups_open": follow_ups["open"],
        "follow_ups_overdue": follow_ups["overdue"],
    }


# --- Whole report ------------------------------------------------------------------------


def _days(period: Period) -> dict:
    """The period as the apps' selectors take it: inclusive dates."""
    return {"start": period.start, "end": period.end}


SECTIONS = {
    "stakeholders": stakeholder_section,
    "engagements": engagement_section,
    "activities": activity_section,
    "newsletters": lambda period, today: newsletter_section(**_days(period)),
    "printing": lambda period, today: printing_section(**_days(period), today=today),
    "surveys": lambda period, today: survey_section(**_days(period), today=today),
    "communications": communications_section,
}


def report_figures(period: Period, *, today: datetime.date | None = None) -> dict:
    """Every section's figures for the period: what an issued report stores."""
    today = today or timezone.localdate()
    figures = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "as_at": today.isoformat(),
        "computed_at": timezone.now().isoformat(timespec="seconds"),
        "suppression_threshold": getattr(settings, "SURVEYS_SUPPRESSION_THRESHOLD", 10),
    }
    for name, section in SECTIONS.items():
        figures[name] = section(period, today=today)
    return figures


def dashboard_figures(
    *, today: datetime.date, period: Period, with_names: bool, with_enquiries: bool = False
) -> dict:
    """The admin dashboard: the report's sections over a recent period, this month's
    activity calendar, the waves open today, (for users who may see the register) who
    moved quadrant and (for those who handle the media log) which enquiries are overdue.
    A fixed number of queries."""
    month = Period.month_of(today)
    context = {
        "today": today,
        "period": period,
        "month": month,
        "stakeholders": stakeholder_section(period, today=today),
        "printing": printing_section(**_days(period), today=today),
        "activities": activity_section(month, today=today),
        "engagements": engagement_section(period, today=today),
        "newsletters": newsletter_section(**_days(period)),
        "communications": communications_section(period, today=today),
        "open_waves": list(survey_waves_open(today)),
        "enquiries_overdue": (
            list(media_enquiries_overdue(_moment(today))[:10]) if with_enquiries else []
        ),
        "movers": list(stakeholder_moves(period)[:10]) if with_names else [],
    }
    return context


def glance_figures(today: datetime.date) -> dict:
    """The few headline figures of the admin home page's panel."""
    period = Period.last_days(30, today)
    return {
        "today": today,
        "stakeholders": stakeholder_section(period, today=today),
        "printing": printing_section(**_days(period), today=today),
        "activities": activity_section(Period.month_of(today), today=today),
        "engagements": engagement_section(period, today=today),
        "newsletters": newsletter_section(**_days(period)),
        "communications": communications_section(period, today=today),
        "waves_open": survey_waves_open(today).count(),
    }
