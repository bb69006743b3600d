"""Reads of the activity calendar; everything here runs in the database."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Activity


@dataclass
class CalendarDay:
    date: datetime.date
    in_month: bool
    activities: list = field(default_factory=list)


@dataclass
class ActivityMonth:
    """A month of the activity calendar: what was planned, what was delivered, and what
    is overdue (planned, in the past, not delivered)."""

    first: datetime.date
    weeks: list
    planned: int
    delivered: int
    delivered_as_planned: int
    unplanned_delivered: int
    overdue: int

    @property
    def previous(self) -> datetime.date:
        return (self.first - datetime.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> datetime.date:
        return (self.first + datetime.timedelta(days=32)).replace(day=1)


def activities_overdue(on: datetime.date | None = None) -> QuerySet:
    on = on or timezone.localdate()
    return Activity.objects.filter(planned_on__lt=on, delivered_on__isnull=True)


def activity_month(year: int, month: int, *, today: datetime.date | None = None) -> ActivityMonth:
    """The calendar grid for one month (Monday-first weeks), each activity placed on the
    day it was delivered, or else planned, with the month's totals from one query."""
    today = today or timezone.localdate()
    first = datetime.date(year, month, 1)
    last = first.replace(day=calendar.monthrange(year, month)[1])
    in_month = Q(planned_on__range=(first, last)) | Q(delivered_on__range=(first, last))
    activities = list(
        Activity.objects.filter(in_month)
        .select_related("area", "owner")
        .order_by("planned_on", "delivered_on", "title")
    )
    days = {}
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        for day in week:
            days[day] = CalendarDay(date=day, in_month=day.month == month)
    for activity in activities:
        activity.is_overdue = bool(
            activity.planned_on and not activity.delivered_on and activity.planned_on < today
        )
        shown_on = activity.delivered_on or activity.planned_on
        if first <= shown_on <= last:
            days[shown_on].activities.append(activity)
        elif activity.planned_on and first <= activity.planned_on <= last:
            days[activity.planned_on].activities.append(activity)
    weeks = [
        [days[day] for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    totals = Activity.objects.aggregate(
        planned=Count("pk", filter=Q(planned_on__range=(first, last))),
        delivered=Count("pk", filter=Q(delivered_on__range=(first, last))),
        delivered_as_planned=Count(
            "pk",
            filter=Q(planned_on__range=(first, last), delivered_on__isnull=False),
        ),
        unplanned_delivered=Count(
            "pk", filter=Q(delivered_on__range=(first, last), planned_on__isnull=True)
        ),
        overdue=Count(
            "pk",
            filter=Q(
                planned_on__range=(first, min(last, today - datetime.timedelta(days=1))),
                delivered_on__isnull=True,
            ),
        ),
    )
    return ActivityMonth(first=first, weeks=weeks, **totals)


# --- Figures for reports and the dashboard ----------------------------------------------


def activity_section(*, start: datetime.date, end: datetime.date, today: datetime.date) -> dict:
    """Activities planned in the period against those delivered, per mode of
    communication. Two queries."""
    in_period = (start, end)
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
