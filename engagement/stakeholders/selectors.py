"""Reads and aggregations of the stakeholder register; everything here runs in the database."""

import datetime
from collections.abc import Iterable

from django.db import connections
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from .models import (
    Engagement,
    Quadrant,
    Stakeholder,
    StakeholderAlert,
    StakeholderAssessment,
    quadrant_expression,
)
from .strategy import interval_days, reassess_days


def stakeholder_quadrant_counts(queryset: QuerySet | None = None) -> dict[str, int]:
    """How many assessed stakeholders sit in each quadrant, keyed by ``Quadrant`` value
    (every quadrant present, zero if empty)."""
    return (Stakeholder.objects.all() if queryset is None else queryset).quadrant_counts()


def stakeholders_matching(query: str, *, limit: int) -> list[Stakeholder]:
    """Stakeholders whose name or organisation contains ``query``, by name: at most
    ``limit`` (plus one, so the caller can say there are more), read from the name index."""
    query = query.strip()
    if not query:
        return []
    return list(
        Stakeholder.objects.filter(Q(name__icontains=query) | Q(organisation__icontains=query))
        .only("pk", "name", "organisation")
        .order_by("name", "organisation", "pk")[: limit + 1]
    )


def media_contacts() -> QuerySet:
    """Media stakeholders Signpost may email: an address on file and consent to contact."""
    return (
        Stakeholder.objects.filter(stakeholder_type=Stakeholder.Type.MEDIA, consent_to_contact=True)
        .exclude(email="")
        .order_by("organisation", "name")
    )


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


def stakeholder_cell_counts(queryset: QuerySet | None = None) -> dict[tuple[int, int], int]:
    """How many scored stakeholders sit in each score cell, keyed by (interest, influence):
    one grouped query, whatever the size of the register."""
    queryset = Stakeholder.objects.all() if queryset is None else queryset
    rows = (
        queryset.assessed().order_by().values_list("interest", "influence").annotate(n=Count("pk"))
    )
    return {(interest, influence): n for interest, influence, n in rows}


def quadrant_counts_from_cells(cell_counts: dict[tuple[int, int], int]) -> dict[str, int]:
    """The per-quadrant counts the cell counts add up to (every quadrant present)."""
    counts = {quadrant.value: 0 for quadrant in Quadrant}
    for (interest, influence), n in cell_counts.items():
        counts[Quadrant.for_scores(interest, influence).value] += n
    return counts


GRID_FIELDS = (
    "pk",
    "name",
    "organisation",
    "stakeholder_type",
    "interest",
    "influence",
    "next_action_due",
)


def stakeholders_for_grid(
    queryset: QuerySet | None = None, *, per_cell: int, cells: Iterable[tuple[int, int]]
) -> QuerySet:
    """The first ``per_cell`` scored stakeholders of each of the score ``cells`` (interest,
    influence) by name, with just what the grid and its table show: the grid draws a
    bounded number of names however large the register, and counts the rest
    (``stakeholder_cell_counts``, whose cells these are).

    On PostgreSQL one query of a part per cell, each read from the cell's index in name
    order and stopped after ``per_cell`` rows: the same work for a cell of twenty as of
    twenty thousand, where numbering every stakeholder in its cell sorts the register.
    SQLite cannot limit the parts of a union, and numbers them instead."""
    queryset = Stakeholder.objects.all() if queryset is None else queryset
    if not connections[queryset.db].features.supports_slicing_ordering_in_compound:
        return _stakeholders_numbered_in_cells(queryset, per_cell=per_cell)
    parts = [
        queryset.filter(interest=interest, influence=influence)
        .only(*GRID_FIELDS)
        .order_by("name", "pk")[:per_cell]
        for interest, influence in sorted(cells)
    ]
    if not parts:
        return queryset.none()
    if len(parts) == 1:  # a union of one is the part itself, already in order
        return parts[0]
    return parts[0].union(*parts[1:], all=True).order_by("interest", "influence", "name", "pk")


def _stakeholders_numbered_in_cells(queryset: QuerySet, *, per_cell: int) -> QuerySet:
    return (
        queryset.assessed()
        .annotate(
            place_in_cell=Window(
                RowNumber(),
                partition_by=[F("interest"), F("influence")],
                order_by=[F("name").asc(), F("pk").asc()],
            )
        )
        .filter(place_in_cell__lte=per_cell)
        .only(*GRID_FIELDS)
        .order_by("interest", "influence", "place_in_cell")
    )


class JoinedNames(Aggregate):
    """Names joined by ", " into one column, in name order (PostgreSQL's STRING_AGG)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ', ' ORDER BY %(expressions)s)"
    output_field = CharField()


def _names_by_row(through, row: str, name: str, row_ids: list[int]) -> dict[int, str]:
    """Each row's related names joined ", " in name order, keyed by row id, for the rows
    given: one grouped query over the link table, however many rows (rows with no names
    are absent)."""
    links = through.objects.filter(**{f"{row}_id__in": row_ids})
    if connections[links.db].vendor == "sqlite":
        # SQLite before 3.44 cannot order GROUP_CONCAT: the names come in name order and
        # are joined here, still one query.
        joined: dict[int, list[str]] = {}
        for row_id, each in links.order_by(name, f"{row}_id").values_list(f"{row}_id", name):
            joined.setdefault(row_id, []).append(each)
        return {row_id: ", ".join(names) for row_id, names in joined.items()}
    return dict(links.order_by().values_list(f"{row}_id").annotate(joined=JoinedNames(name)))


def engagements_for_export(queryset: QuerySet) -> QuerySet:
    """The log's rows with their area and operation in the same row; their stakeholders'
    and themes' names come a chunk of rows at a time (``engagement_*_names``)."""
    return queryset.select_related("area", "operation")


def engagement_stakeholder_names(engagement_ids: list[int]) -> dict[int, str]:
    return _names_by_row(
        Engagement.stakeholders.through, "engagement", "stakeholder__name", engagement_ids
    )


def engagement_theme_names(engagement_ids: list[int]) -> dict[int, str]:
    return _names_by_row(
        Engagement.themes.through, "engagement", "concerntheme__name", engagement_ids
    )


def stakeholder_area_names(stakeholder_ids: list[int]) -> dict[int, str]:
    return _names_by_row(Stakeholder.areas.through, "stakeholder", "area__name", stakeholder_ids)


def engagements_follow_up_overdue(on=None) -> QuerySet:
    return Engagement.objects.follow_up_overdue(on).order_by("follow_up_due", "pk")


# --- Figures for reports and the dashboard ----------------------------------------------

# The order reports list the quadrants in.
QUADRANT_ORDER = [Quadrant.INVOLVE, Quadrant.CONSULT, Quadrant.INFORM, Quadrant.WATCH]


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


def stakeholder_moves(*, start: datetime.date, end: datetime.date):
    """Assessments from ``start`` to ``end`` that moved a stakeholder to another quadrant, newest
    first (names included: for users allowed to see the register)."""
    return (
        _assessments_with_previous()
        .filter(assessed_on__range=(start, end), prev_interest__isnull=False)
        .exclude(from_quadrant=F("to_quadrant"))
        .select_related("stakeholder")
        .order_by("-assessed_on", "-created_at")
    )


def stakeholder_section(*, start: datetime.date, end: datetime.date, today: datetime.date) -> dict:
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
        stakeholder_moves(start=start, end=end)
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


def engagement_section(*, start: datetime.date, end: datetime.date, today: datetime.date) -> dict:
    """Engagements logged in the period by mode (door-to-door and forum meetings keep
    counts only), and follow-ups open and overdue today. Two queries."""
    rows = (
        Engagement.objects.filter(occurred_on__range=(start, end))
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
