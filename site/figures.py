"""How every app counts its figures for a span of days, so a report that composes them
counts the same days and rounds the same way whichever app answers."""

import datetime

from django.core.cache import cache
from django.db import transaction
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


# --- A finished campaign's delivery figures, kept between views ------------------------
# Counting a campaign's deliveries reads every one of them (200,000 for a force-wide
# send); the dashboard, the admin home and each report preview show the last few
# campaigns' figures. Once a campaign has finished sending only its ESP events (delivered,
# opened, bounced…) and unsubscribes change them, and each of those forgets the
# campaign's stored figures when it commits; the next view counts them again. The
# lifetime bounds how stale a figure can be if a change ever slipped past that.
CAMPAIGN_FIGURES_SECONDS = 10 * 60


def _campaign_figures_key(campaign_id: int) -> str:
    return f"figures:campaign:{campaign_id}"


def campaign_figures_stored(campaign_ids) -> dict[int, dict]:
    """The stored figures of those campaigns that have them, by campaign id."""
    keys = {_campaign_figures_key(pk): pk for pk in campaign_ids}
    return {keys[key]: value for key, value in cache.get_many(list(keys)).items()}


def campaign_figures_store(figures_by_campaign: dict[int, dict]) -> None:
    cache.set_many(
        {_campaign_figures_key(pk): value for pk, value in figures_by_campaign.items()},
        timeout=CAMPAIGN_FIGURES_SECONDS,
    )


def campaign_figures_forget(campaign_id: int | None) -> None:
    """After the transaction that changed a campaign's deliveries commits (so no view
    stores the figures from before it again), drop its stored figures."""
    if campaign_id is not None:
        transaction.on_commit(lambda: cache.delete(_campaign_figures_key(campaign_id)))
