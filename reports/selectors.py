"""The figures of the dashboard and of progress reports, one selector per section.

Each app answers for its own figures through its selectors (engagement's sub-packages,
printing, surveys, newsletters); this module composes them into a report, asking each for the same days.
Every figure is counted by the database (``aggregate``/``annotate`` with filtered
``Count``/``Sum``), so each section costs the same few queries however much data there
is. Each selector returns plain JSON-ready values: an issued report stores them as its
snapshot, and the same templates show a live draft and an issued report.
"""

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Count, Q
from django.utils import timezone
from signpost.figures import moment_as_at

from engagement.activities.selectors import activity_section
from engagement.press.selectors import (
    communications_section,
    media_enquiries_overdue,
    press_releases_waiting_for,
)
from engagement.stakeholders.selectors import (
    engagement_section,
    stakeholder_moves,
    stakeholder_section,
)
from evaluation.selectors import evaluation_section
from newsletters.campaigns.selectors import campaigns_waiting_for
from newsletters.sending.selectors import newsletter_section
from printing.selectors import printing_section
from surveys.selectors import survey_section, survey_waves_open

from .periods import Period


def _days(period: Period) -> dict:
    """The period as the apps' selectors take it: inclusive dates."""
    return {"start": period.start, "end": period.end}


SECTIONS = {
    "stakeholders": lambda period, today: stakeholder_section(**_days(period), today=today),
    "engagements": lambda period, today: engagement_section(**_days(period), today=today),
    "activities": lambda period, today: activity_section(**_days(period), today=today),
    "newsletters": lambda period, today: newsletter_section(**_days(period)),
    "printing": lambda period, today: printing_section(**_days(period), today=today),
    "surveys": lambda period, today: survey_section(**_days(period), today=today),
    "communications": lambda period, today: communications_section(**_days(period), today=today),
    "crime": lambda period, today: evaluation_section(**_days(period)),
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
        "stakeholders": stakeholder_section(**_days(period), today=today),
        "printing": printing_section(**_days(period), today=today),
        "activities": activity_section(**_days(month), today=today),
        "engagements": engagement_section(**_days(period), today=today),
        "newsletters": newsletter_section(**_days(period)),
        "communications": communications_section(**_days(period), today=today),
        "open_waves": list(survey_waves_open(today)),
        "crime": evaluation_section(**_days(period)),
        "enquiries_overdue": (
            list(media_enquiries_overdue(moment_as_at(today))[:10]) if with_enquiries else []
        ),
        "movers": list(stakeholder_moves(**_days(period))[:10]) if with_names else [],
    }
    return context


def glance_figures(today: datetime.date) -> dict:
    """The few headline figures of the admin home page's panel."""
    period = Period.last_days(30, today)
    return {
        "today": today,
        "stakeholders": stakeholder_section(**_days(period), today=today),
        "printing": printing_section(**_days(period), today=today),
        "activities": activity_section(**_days(Period.month_of(today)), today=today),
        "engagements": engagement_section(**_days(period), today=today),
        "newsletters": newsletter_section(**_days(period)),
        "communications": communications_section(**_days(period), today=today),
        "waves_open": survey_waves_open(today).count(),
    }


def report_readers() -> list[dict]:
    """The roles that read an issued report (those with ``view_progressreport``) and how
    many active people are in each, for the page that confirms issuing one."""
    groups = (
        Group.objects.filter(
            permissions__codename="view_progressreport",
            permissions__content_type__app_label="reports",
        )
        .annotate(people=Count("user", filter=Q(user__is_active=True), distinct=True))
        .order_by("name")
    )
    return [{"role": group.name, "people": group.people} for group in groups]


def waiting_for_you(user) -> dict:
    """What waits for ``user``'s decision or changes, across the apps: campaigns to
    approve, releases at a sign-off step they may sign, and their own campaigns and
    releases sent back to them. Only what their role lets them act on, so a partner
    viewer is shown no draft; a fixed number of queries whatever the counts."""
    campaigns = campaigns_waiting_for(user)
    releases = press_releases_waiting_for(user)
    total = sum(
        group[f"{key}_count"]
        for group, keys in (
            (campaigns, ("to_approve", "sent_back")),
            (releases, ("to_sign", "sent_back")),
        )
        for key in keys
    )
    return {"campaigns": campaigns, "releases": releases, "total": total}
