"""Reads about sending: a campaign's figures as its ledger fills in, and the newsletter
figures of progress reports and the dashboard."""

import datetime

from django.db import connection
from django.db.models import BigIntegerField, Count, F, OuterRef, Q, Subquery, Value
from django.utils import timezone
from signpost.figures import (
    campaign_figures_store,
    campaign_figures_stored,
    day_bounds,
    rate,
)

from engagement.models import Area

from ..campaigns.models import Campaign
from ..subscribers.models import AreaSubscriberCount, Subscriber
from .models import Delivery

FIGURES = (
    "recipients",
    "sent",
    "delivered",
    "bounced",
    "complained",
    "opened",
    "clicked",
    "unsubscribed",
)


def campaign_figures(campaign: Campaign) -> dict:
    """Per-campaign figures in one query."""
    sent_states = [
        Delivery.Status.SENT,
        Delivery.Status.DELIVERED,
        Delivery.Status.BOUNCED,
    ]
    figures = Delivery.objects.filter(campaign=campaign).aggregate(
        recipients=Count("pk"),
        sent=Count("pk", filter=Q(status__in=sent_states)),
        queued=Count("pk", filter=Q(status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING])),
        failed=Count("pk", filter=Q(status=Delivery.Status.FAILED)),
        suppressed=Count("pk", filter=Q(status=Delivery.Status.SUPPRESSED)),
        delivered=Count("delivered_at"),
        bounced=Count("bounced_at"),
        complained=Count("complained_at"),
        opened=Count("opened_at"),
        clicked=Count("clicked_at"),
        unsubscribed=Count("unsubscribed_at"),
    )
    total = figures["recipients"]
    done = total - figures["queued"]
    figures["progress_percent"] = round(100 * done / total) if total else 0
    figures["status"] = campaign.status
    figures["status_label"] = campaign.get_status_display()
    return figures


# --- Figures for progress reports and the dashboard -------------------------------------

CAMPAIGNS_SHOWN = 5


def newsletter_section(*, start: datetime.date, end: datetime.date) -> dict:
    """Subscribers per area now and how many joined and left from ``start`` to ``end``
    (inclusive); campaigns sent in that span (the last few) with delivery, open and
    unsubscribe rates. Two queries, one once the campaigns' figures are stored; none
    reads the whole register (``subscribers_by_area``)."""
    by_area: dict[int | None, dict] = {}
    for area_id, name, subscribed, joined, left in subscribers_by_area(start=start, end=end):
        area = by_area.setdefault(area_id, {"area": name, "subscribed": 0, "joined": 0, "left": 0})
        area["subscribed"] += subscribed
        area["joined"] += joined
        area["left"] += left
    areas = [
        {
            **area,
            "area": area["area"] or "Outside the areas",
            "growth": area["joined"] - area["left"],
        }
        for area in sorted(by_area.values(), key=lambda a: (a["area"] is None, a["area"] or ""))
        if area["subscribed"] or area["joined"] or area["left"]
    ]
    start_at, end_before = day_bounds(start, end)
    campaigns = list(
        Campaign.objects.filter(
            send_started_at__gte=start_at, send_started_at__lt=end_before
        ).order_by("-send_started_at")[:CAMPAIGNS_SHOWN]
    )
    counts = _campaign_delivery_counts(campaigns)
    return {
        "areas": areas,
        "subscribed": sum(a["subscribed"] for a in areas),
        "joined": sum(a["joined"] for a in areas),
        "left": sum(a["left"] for a in areas),
        "campaigns": [
            {
                "name": c.name,
                "sent_on": timezone.localtime(c.send_started_at).date().isoformat(),
                "status": c.get_status_display(),
                **counts[c.pk],
                "delivery_rate": rate(counts[c.pk]["delivered"], counts[c.pk]["sent"]),
                "open_rate": rate(counts[c.pk]["opened"], counts[c.pk]["delivered"]),
                "unsubscribe_rate": rate(counts[c.pk]["unsubscribed"], counts[c.pk]["delivered"]),
            }
            for c in campaigns
        ],
    }


def subscribers_by_area(*, start: datetime.date, end: datetime.date) -> list[tuple]:
    """Rows of (area id or None outside the areas, area name, confirmed now, joined and
    left from ``start`` to ``end``), an area on up to three rows to be added together: one
    query. Confirmed now is read on PostgreSQL from the counts its triggers keep
    (``AreaSubscriberCount``: fifty rows, not a million) and counted on SQLite, whose
    register is small; who joined and who left are each counted from a range of an index
    of time and area alone."""
    start_at, end_before = day_bounds(start, end)
    none = Value(0, output_field=BigIntegerField())
    joined = _moved_by_area("confirmed_at", start_at, end_before, as_column="joined")
    left = _moved_by_area("unsubscribed_at", start_at, end_before, as_column="left")
    if connection.vendor == "postgresql":
        outside = AreaSubscriberCount.OUTSIDE_AREAS
        now = (
            AreaSubscriberCount.objects.filter(subscribed__gt=0)
            .order_by()
            .annotate(
                name=Subquery(Area.objects.filter(pk=OuterRef("area_key")).values("name")[:1]),
                joined=none,
                left=none,
            )
            .values_list("area_key", "name", "subscribed", "joined", "left")
        )
        return [
            (None if row[0] == outside else row[0], *row[1:])
            for row in now.union(joined, left, all=True)
        ]
    now = (
        Subscriber.objects.confirmed()
        .order_by()
        .values("area_id")
        .annotate(name=F("area__name"), subscribed=Count("pk"), joined=none, left=none)
        .values_list("area_id", "name", "subscribed", "joined", "left")
    )
    return list(now.union(joined, left, all=True))


def _moved_by_area(field: str, start_at, end_before, *, as_column: str):
    """Rows (area id, name, 0, joined, left) of the subscribers whose ``field`` falls in the
    span, counted per area into ``as_column`` (the other count 0). Joiners and leavers are
    counted apart so each is a range of its own index of (time, area), read without the
    rows: at a force's size a month's 33,000 joiners in 6 ms, against 25 ms for the rows
    matching either (BENCHMARKS.md, "Fourth round")."""
    none = Value(0, output_field=BigIntegerField())
    counts = {"joined": none, "left": none, as_column: Count("*")}
    return (
        Subscriber.objects.filter(**{f"{field}__gte": start_at, f"{field}__lt": end_before})
        .order_by()
        .values("area_id")
        .annotate(name=F("area__name"), subscribed=none, **counts)
        .values_list("area_id", "name", "subscribed", "joined", "left")
    )


def _campaign_delivery_counts(campaigns: list[Campaign]) -> dict[int, dict]:
    """Each campaign's sent, delivered, opened, unsubscribed and bounced counts: a
    finished campaign's from the cache when stored (``signpost.figures``), the rest
    counted in one query, and the finished ones among them stored."""
    finished = {c.pk for c in campaigns if c.send_finished_at is not None}
    counts = campaign_figures_stored(finished) if finished else {}
    missing = [c.pk for c in campaigns if c.pk not in counts]
    if missing:
        sent_states = [Delivery.Status.SENT, Delivery.Status.DELIVERED, Delivery.Status.BOUNCED]
        counted = {pk: dict.fromkeys(CAMPAIGN_COUNTS, 0) for pk in missing}
        rows = (
            Delivery.objects.filter(campaign_id__in=missing)
            .order_by()
            .values("campaign_id")
            .annotate(
                sent=Count("pk", filter=Q(status__in=sent_states)),
                delivered=Count("delivered_at"),
                opened=Count("opened_at"),
                unsubscribed=Count("unsubscribed_at"),
                bounced=Count("bounced_at"),
            )
        )
        for row in rows:
            counted[row.pop("campaign_id")] = row
        campaign_figures_store({pk: n for pk, n in counted.items() if pk in finished})
        counts.update(counted)
    return counts


CAMPAIGN_COUNTS = ("sent", "delivered", "opened", "unsubscribed", "bounced")
