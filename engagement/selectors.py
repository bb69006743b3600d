"""Reads and aggregations for the engagement app; everything here runs in the database."""

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .models import Activity, MediaEnquiry, Quadrant, Stakeholder, StakeholderAlert


def stakeholder_quadrant_counts(queryset: QuerySet | None = None) -> dict[str, int]:
    """How many assessed stakeholders sit in each quadrant, keyed by ``Quadrant`` value
    (every quadrant present, zero if empty)."""
    queryset = Stakeholder.objects.all() if queryset is None else queryset
    rows = (
        queryset.assessed()
        .with_quadrant()
        .order_by()
        .values("current_quadrant")
        .annotate(n=Count("pk"))
    )
    counts = {quadrant.value: 0 for quadrant in Quadrant}
    counts.update({row["current_quadrant"]: row["n"] for row in rows})
    return counts


def media_contacts() -> QuerySet:
    """Media stakeholders Signpost may email: an address on file and consent to contact."""
    return (
        Stakeholder.objects.filter(stakeholder_type=Stakeholder.Type.MEDIA, consent_to_contact=True)
        .exclude(email="")
        .order_by("organisation", "name")
    )


def plan_audiences() -> list[dict]:
    """The communication plan's audiences: each quadrant of the interest/influence grid
    with its strategy and how many stakeholders the register holds in it, live."""
    from .strategy import STRATEGIES

    counts = stakeholder_quadrant_counts()
    return [
        {
            "quadrant": quadrant.value,
            "label": quadrant.label,
            "count": counts[quadrant.value],
            "summary": STRATEGIES[quadrant].summary,
            "in_practice": STRATEGIES[quadrant].in_practice,
        }
        for quadrant in Quadrant
    ]


def stakeholders_action_overdue(on=None) -> QuerySet:
    """Stakeholders whose next due action is past, most overdue first."""
    return (
        Stakeholder.objects.action_overdue(on or timezone.localdate())
        .with_quadrant()
        .order_by("next_action_due", "name")
    )


def stakeholder_alerts_open() -> QuerySet:
    return StakeholderAlert.objects.filter(acknowledged_at__isnull=True).select_related(
        "stakeholder", "assessment__assessed_by"
    )


def stakeholder_trail(stakeholder: Stakeholder) -> QuerySet:
    """The stakeholder's past positions on the grid, oldest first."""
    return stakeholder.assessments.select_related("assessed_by").order_by(
        "assessed_on", "created_at"
    )


# --- Activity calendar -----------------------------------------------------------------


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


def activity_plan_summary(*, today: datetime.date | None = None, upcoming: int = 8) -> dict:
    """What the plan page shows of the calendar: the year's totals and what comes next."""
    today = today or timezone.localdate()
    year_start = today.replace(month=1, day=1)
    year_end = today.replace(month=12, day=31)
    totals = Activity.objects.aggregate(
        planned=Count("pk", filter=Q(planned_on__range=(year_start, year_end))),
        delivered=Count("pk", filter=Q(delivered_on__range=(year_start, year_end))),
        overdue=Count("pk", filter=Q(planned_on__lt=today, delivered_on__isnull=True)),
    )
    totals["upcoming"] = list(
        Activity.objects.filter(planned_on__gte=today, delivered_on__isnull=True)
        .select_related("area")
        .order_by("planned_on")[:upcoming]
    )
    totals["by_mode"] = list(
        Activity.objects.filter(
            Q(planned_on__range=(year_start, year_end))
            | Q(delivered_on__range=(year_start, year_end))
        )
        .values("mode")
        .annotate(
            planned=Count("pk", filter=Q(planned_on__isnull=False)),
            delivered=Count("pk", filter=Q(delivered_on__isnull=False)),
        )
        .order_by("mode")
    )
    labels = dict(Activity.Mode.choices)
    for row in totals["by_mode"]:
        row["label"] = labels.get(row["mode"], row["mode"])
    totals["year"] = today.year
    return totals


# --- Media enquiries -------------------------------------------------------------------


def media_enquiries_overdue(now: datetime.datetime | None = None) -> QuerySet:
    """Open enquiries past the outlet's deadline, most overdue first."""
    return MediaEnquiry.objects.overdue(now).select_related("handler").order_by("deadline")


# --- Press releases --------------------------------------------------------------------


def press_release_media_recipients() -> list[tuple[str, str]]:
    """(address, name) of every media contact a published release is emailed to."""
    return [(contact.email, contact.name) for contact in media_contacts()]


def stakeholders_for_grid(queryset: QuerySet | None = None) -> QuerySet:
    """Scored stakeholders with just what the grid and its table show."""
    queryset = Stakeholder.objects.all() if queryset is None else queryset
    return queryset.assessed().only(
        "pk",
        "name",
        "organisation",
        "stakeholder_type",
        "interest",
        "influence",
        "next_action_due",
    )


def engagements_follow_up_overdue(on=None) -> QuerySet:
    from .models import Engagement

    return Engagement.objects.follow_up_overdue(on).order_by("follow_up_due", "pk")


# --- Press release sign-off ----------------------------------------------------------------

# Parts of a revision's content that record bookkeeping, not what the public reads: a
# change to them is not a change of what was signed off.
UNSIGNED_CONTENT_KEYS = frozenset(
    {
        "pk",
        "live",
        "live_revision",
        "has_unpublished_changes",
        "first_published_at",
        "last_published_at",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "locked",
        "locked_at",
        "locked_by",
        "expired",
        "owner",
        "wagtail_admin_comments",
        "path",
        "depth",
        "numchild",
        "url_path",
        "translation_key",
        "locale",
        "content_type",
        "alias_of",
    }
)


def _without_block_ids(value):
    """StreamField blocks get fresh ids when a form is posted without them; the words and
    their order are what is signed, not the ids."""
    if isinstance(value, list):
        return [_without_block_ids(item) for item in value]
    if isinstance(value, dict):
        return {k: _without_block_ids(v) for k, v in value.items() if k != "id"}
    return value


def _signed_value(value):
    if isinstance(value, str) and value.startswith("[{"):
        import json

        try:
            return _without_block_ids(json.loads(value))
        except ValueError:
            return value
    return value


def press_release_signed_content(revision, *, without_embargo: bool = False) -> dict:
    """What a sign-off covers in a revision: the wording, the links and the embargo."""
    skip = UNSIGNED_CONTENT_KEYS | ({"go_live_at"} if without_embargo else set())
    return {
        key: _signed_value(value)
        for key, value in (revision.content or {}).items()
        if key not in skip
    }


def press_release_fingerprint(revision) -> str:
    import hashlib
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    content = json.dumps(
        press_release_signed_content(revision), sort_keys=True, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(content.encode()).hexdigest()


def press_release_changes_only_embargo(revision, signed_revision) -> bool:
    """True when ``revision`` differs from ``signed_revision`` in nothing but the embargo."""
    return press_release_signed_content(
        revision, without_embargo=True
    ) == press_release_signed_content(signed_revision, without_embargo=True)


def press_release_sign_off(*, revision):
    """The completed sign-off that lets ``revision`` go public, or None: the release's
    latest sign-off must be of this very revision, and its content unchanged since."""
    from .models import PressReleaseSignOff

    if revision is None:
        return None
    latest = (
        PressReleaseSignOff.objects.filter(release_id=revision.object_id)
        .select_related("reviewed_by", "approved_by")
        .order_by("-signed_at", "-pk")
        .first()
    )
    if latest is None or latest.revision_id != revision.pk:
        return None
    if latest.fingerprint != press_release_fingerprint(revision):
        return None
    return latest


def press_release_going_live_is_signed_off(*, release) -> bool:
    """True unless saving ``release`` would take live a revision that was not signed off."""
    from .models import PressReleasePage

    if release.pk:
        before = (
            PressReleasePage.objects.filter(pk=release.pk)
            .values("live", "live_revision_id")
            .first()
        )
        if before and before["live"] and before["live_revision_id"] == release.live_revision_id:
            return True
    revision = release.live_revision if release.live_revision_id else None
    if revision is None or not release.pk or str(revision.object_id) != str(release.pk):
        # A copy kept live points at the original's revision: not its own sign-off.
        return False
    return press_release_sign_off(revision=revision) is not None


def press_release_sign_offs(release) -> QuerySet:
    """Who signed which revision of a release, with the embargo they approved."""
    return release.sign_offs.select_related("reviewed_by", "approved_by", "revision")
