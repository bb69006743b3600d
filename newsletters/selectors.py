"""Reads and aggregation for the newsletters app."""

from django.db.models import Count, Q

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
