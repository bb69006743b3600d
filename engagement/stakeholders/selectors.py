"""Reads and aggregations of the stakeholder register; everything here runs in the database."""

from django.db.models import Count, QuerySet
from django.utils import timezone

from .models import Engagement, Quadrant, Stakeholder, StakeholderAlert
from .strategy import STRATEGIES


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
    return Engagement.objects.follow_up_overdue(on).order_by("follow_up_due", "pk")
