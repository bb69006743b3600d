"""Reads about subscribers."""

from . import tokens
from .models import Subscriber


def subscriber_export_data(*, subscriber: Subscriber) -> dict:
    """Everything Signpost holds on one subscriber (UK GDPR Article 15), as one document."""
    return {
        "subscriber": {
            "email": subscriber.email,
            "name": subscriber.name,
            "postcode": subscriber.postcode,
            "area": subscriber.area.name if subscriber.area_id else None,
            "topics": [t.name for t in subscriber.topics.all()],
            "language": subscriber.get_language_display(),
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
                "language": record.language,
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


def subscriber_confirmed_by_link(token: str) -> Subscriber | None:
    """The subscriber a confirmation link is for, if they are already confirmed (the link
    opened a second time); ``tokens.LinkInvalid`` if the link is not a good one."""
    key = tokens.confirm_token_key(token)
    return Subscriber.objects.filter(key=key, status=Subscriber.Status.CONFIRMED).first()
