"""Reads and aggregation for the newsletters app, and the newsletter figures of progress
reports."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from signpost.figures import day_bounds, rate

from .models import Campaign, Delivery, Subscriber


def subscriber_export_data(*, subscriber: Subscriber) -> dict:
    """Everything Signpost holds on one subscriber (UK GDPR Article 15), as one document."""
    return {
        "subscriber": {
            "email": subscriber.email,
            "name": subscriber.name,
            "postcode": subscriber.postcode,
            "area": subscriber.area.name if subscriber.area_id else None,
            "topics": [t.name for t in subscriber.topics.all()],
            "status": subscriber.get_status_display(),
            "signed_up_at": subscriber.created_at.isoformat(),
            "confirmed_at": subscriber.confirmed_at.isoformat()
            if subscriber.confirmed_at
            else None,
            "unsubscribed_at": (
                subscriber.unsubscribed_at.isoformat() if subscriber.unsubscribed_at else None
            ),
        },
        "consent_records": [
            {
                "at": record.at.isoformat(),
                "action": record.get_action_display(),
                "method": record.get_method_display(),
                "wording_version": record.wording_version,
                "changes": record.changes,
            }
            for record in subscriber.consent_records.all()
        ],
        "emails": [
            {
                "campaign": delivery.campaign.name,
                "subject": delivery.campaign.subject,
                "status": delivery.get_status_display(),
                "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
                "delivered_at": delivery.delivered_at.isoformat()
                if delivery.delivered_at
                else None,
                "opened_at": delivery.opened_at.isoformat() if delivery.opened_at else None,
                "clicked_at": delivery.clicked_at.isoformat() if delivery.clicked_at else None,
            }
            for delivery in subscriber.deliveries.select_related("campaign").order_by("pk")
        ],
    }


def campaign_segment(campaign: Campaign):
    """The subscribers a campaign would mail now: confirmed, not suppressed, in its areas
    and topics (none chosen means all)."""
    subscribers = Subscriber.objects.mailable()
    area_ids = list(campaign.areas.values_list("pk", flat=True))
    topic_ids = list(campaign.topics.values_list("pk", flat=True))
    if area_ids:
        subscribers = subscribers.filter(area_id__in=area_ids)
    if topic_ids:
        subscribers = subscribers.filter(
            pk__in=Subscriber.topics.through.objects.filter(topic_id__in=topic_ids).values(
                "subscriber_id"
            )
        )
    return subscribers


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


def campaign_approved_version(campaign: Campaign) -> dict | None:
    """Which version of the newsletter the campaign was approved with, and whether the
    page has changed since (a newer draft, or a newer version published)."""
    approved = campaign.approved_revision
    if approved is None:
        return None
    newsletter = campaign.newsletter
    newer = newsletter.revisions.filter(created_at__gt=approved.created_at).exclude(pk=approved.pk)
    return {
        "revision": approved,
        "changed": newer.exists(),
        "published_since": newsletter.live_revision_id not in (None, approved.pk),
        "latest": newer.order_by("-created_at", "-pk").select_related("user").first(),
    }


# --- Figures for progress reports and the dashboard -------------------------------------

CAMPAIGNS_SHOWN = 5


def newsletter_section(*, start: datetime.date, end: datetime.date) -> dict:
    """Subscribers per area now and how many joined and left from ``start`` to ``end``
    (inclusive); campaigns sent in that span (the last few) with delivery, open and
    unsubscribe rates. Two queries."""
    start_at, end_before = day_bounds(start, end)
    joined = Q(confirmed_at__gte=start_at, confirmed_at__lt=end_before)
    left = Q(unsubscribed_at__gte=start_at, unsubscribed_at__lt=end_before)
    rows = (
        Subscriber.objects.order_by()
        .values("area__name")
        .annotate(
            subscribed=Count("pk", filter=Q(status=Subscriber.Status.CONFIRMED)),
            joined=Count("pk", filter=joined),
            left=Count("pk", filter=left),
        )
        .filter(Q(subscribed__gt=0) | Q(joined__gt=0) | Q(left__gt=0))
        .order_by("area__name")
    )
    areas = [
        {
            "area": row["area__name"] or "Outside the areas",
            "subscribed": row["subscribed"],
            "joined": row["joined"],
            "left": row["left"],
            "growth": row["joined"] - row["left"],
        }
        for row in rows
    ]
    sent_states = [Delivery.Status.SENT, Delivery.Status.DELIVERED, Delivery.Status.BOUNCED]
    campaigns = (
        Campaign.objects.filter(send_started_at__gte=start_at, send_started_at__lt=end_before)
        .annotate(
            n_sent=Count("deliveries", filter=Q(deliveries__status__in=sent_states)),
            n_delivered=Count("deliveries__delivered_at"),
            n_opened=Count("deliveries__opened_at"),
            n_unsubscribed=Count("deliveries__unsubscribed_at"),
            n_bounced=Count("deliveries__bounced_at"),
        )
        .order_by("-send_started_at")[:CAMPAIGNS_SHOWN]
    )
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
                "sent": c.n_sent,
                "delivered": c.n_delivered,
                "opened": c.n_opened,
                "unsubscribed": c.n_unsubscribed,
                "bounced": c.n_bounced,
                "delivery_rate": rate(c.n_delivered, c.n_sent),
                "open_rate": rate(c.n_opened, c.n_delivered),
                "unsubscribe_rate": rate(c.n_unsubscribed, c.n_delivered),
            }
            for c in campaigns
        ],
    }
