"""Reporting periods: calendar months and quarters, and their bounds as aware datetimes."""

import datetime
from dataclasses import dataclass

from signpost.figures import day_bounds

from .models import period_label

LATEST_END_DAYS_AHEAD = 366
TOO_LATE = "A report cannot end more than a year from today."


def ends_too_late(end: datetime.date, today: datetime.date) -> bool:
    """A period ending this far ahead reports on nothing, and near the calendar's end
    its bounds cannot even be computed."""
    return end > today + datetime.timedelta(days=LATEST_END_DAYS_AHEAD)


@dataclass(frozen=True)
class Period:
    """Inclusive dates ``start`` to ``end``."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def month_of(cls, day: datetime.date) -> "Period":
        start = day.replace(day=1)
        following = (start + datetime.timedelta(days=32)).replace(day=1)
        return cls(start, following - datetime.timedelta(days=1))

    @classmethod
    def previous_month(cls, today: datetime.date) -> "Period":
        return cls.month_of(today.replace(day=1) - datetime.timedelta(days=1))

    @classmethod
    def previous_quarter(cls, today: datetime.date) -> "Period":
        """The last complete calendar quarter before ``today``'s."""
        first_month = 3 * ((today.month - 1) // 3) + 1
        quarter_start = today.replace(month=first_month, day=1)
        end = quarter_start - datetime.timedelta(days=1)
        start_month = 3 * ((end.month - 1) // 3) + 1
        return cls(end.replace(month=start_month, day=1), end)

    @classmethod
    def last_days(cls, days: int, today: datetime.date) -> "Period":
        return cls(today - datetime.timedelta(days=days - 1), today)

    @property
    def start_at(self) -> datetime.datetime:
        return day_bounds(self.start, self.end)[0]

    @property
    def end_before(self) -> datetime.datetime:
        """The first moment after the period, for ``__lt`` filters on datetimes."""
        return day_bounds(self.start, self.end)[1]

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)
