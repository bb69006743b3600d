"""How every app counts its figures for a span of days, so a report that composes them
counts the same days and rounds the same way whichever app answers."""

import datetime

from django.utils import timezone


def _first_moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def day_bounds(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The first moment of ``start`` and the first moment after ``end`` (inclusive dates),
    in the site's time zone, for ``__gte``/``__lt`` filters on datetimes."""
    return _first_moment(start), _first_moment(end + datetime.timedelta(days=1))


def rate(part: int, whole: int) -> float | None:
    """``part`` as a percentage of ``whole`` to one decimal place; None of nothing."""
    return round(100 * part / whole, 1) if whole else None


def moment_as_at(today: datetime.date) -> datetime.datetime:
    """'Now' for figures as at ``today``: now itself when that is today, otherwise the
    end of that day, so figures for a past date count what was overdue then."""
    if today == timezone.localdate():
        return timezone.now()
    return day_bounds(today, today)[1]
