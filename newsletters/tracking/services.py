"""Tracking events from the ESP: kept once by their id when the webhook delivers them,
then applied by a Celery task to the delivery and to the subscriber's consent."""

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone
from signpost import figures, jobs

from ..sending.models import Delivery
from ..subscribers.models import ConsentRecord, Subscriber, Suppression
from ..subscribers.services import (
    subscriber_consent_record,
    subscriber_unsubscribe,
    suppression_add,
)
from . import tasks
from .models import TrackingEvent


def _event_id(event) -> str:
    if event.event_id:
        return str(event.event_id)[:200]
    fingerprint = f"{event.event_type}|{event.message_id}|{event.recipient}|{event.timestamp}"
    return "sha256:" + hashlib.sha256(fingerprint.encode()).hexdigest()


def tracking_event_receive(*, event) -> TrackingEvent | None:
    """Keep the event once, by its id, and hand the work to Celery so the webhook answers
    fast. A replayed event is recognised here and changes nothing."""
    event_id = _event_id(event)
    payload = {
        "event_type": event.event_type,
        "recipient": (event.recipient or "").lower(),
        "message_id": event.message_id or "",
        "timestamp": event.timestamp.isoformat() if event.timestamp else None,
        "delivery": (event.metadata or {}).get("delivery"),
        "reject_reason": event.reject_reason or "",
        "description": (event.description or "")[:200],
    }
    try:
        with transaction.atomic():
            record = TrackingEvent.objects.create(
                event_id=event_id, event_type=event.event_type, payload=payload
            )
            jobs.job_queue(
                tasks.tracking_event_process, record.pk, label=f"Tracking event {record.pk}"
            )
    except IntegrityError:
        return None
    return record


def _find_delivery(payload: dict) -> Delivery | None:
    deliveries = Delivery.objects.select_for_update(of=("self",)).select_related("subscriber")
    if payload.get("delivery") and str(payload["delivery"]).isdigit():
        delivery = deliveries.filter(pk=int(payload["delivery"])).first()
        if delivery and (
            delivery.subscriber is None or delivery.subscriber.email == payload["recipient"]
        ):
            return delivery
    if payload.get("message_id") and payload.get("recipient"):
        return _by_message_id(deliveries, payload["message_id"], payload["recipient"]).first()
    return None


def _by_message_id(deliveries, message_id: str, recipient: str):
    """The deliveries of one ESP message to one recipient: through the subscriber's
    address (unique) and the subscriber index, as the message id has no index."""
    return deliveries.filter(esp_message_id=message_id, subscriber__email=recipient)


@transaction.atomic
def tracking_event_process(*, event_pk: int) -> bool:
    """Apply one ESP event to its delivery and to the suppression list. Safe to run twice:
    the event is marked processed, and every timestamp is set only once."""
    record = TrackingEvent.objects.select_for_update().filter(pk=event_pk).first()
    if record is None or record.processed_at is not None:
        return False
    payload = record.payload
    event_type = payload["event_type"]
    recipient = payload.get("recipient", "")
    when = (
        datetime.datetime.fromisoformat(payload["timestamp"])
        if payload.get("timestamp")
        else timezone.now()
    )
    delivery = _find_delivery(payload)
    if delivery is not None:
        figures.campaign_figures_forget(delivery.campaign_id)
    subscriber = (
        delivery.subscriber if delivery else Subscriber.objects.filter(email=recipient).first()
    )

    def stamp(field: str, status: str | None = None) -> None:
        if delivery is None:
            return
        updates = {}
        if getattr(delivery, field) is None:
            updates[field] = when
        if status and delivery.status in {Delivery.Status.SENT, Delivery.Status.DELIVERED}:
            updates["status"] = status
        if updates:
            Delivery.objects.filter(pk=delivery.pk).update(**updates)

    if event_type == "delivered":
        stamp("delivered_at", Delivery.Status.DELIVERED)
    elif event_type == "bounced" or (
        event_type == "rejected" and payload.get("reject_reason") in {"bounced", "invalid"}
    ):
        stamp("bounced_at", Delivery.Status.BOUNCED)
        suppression_add(
            address=recipient,
            reason=Suppression.Reason.HARD_BOUNCE,
            detail=payload.get("description", ""),
        )
        if subscriber:
            subscriber_consent_record(
                subscriber,
                action=ConsentRecord.Action.SUPPRESSED,
                method=ConsentRecord.Method.ESP_EVENT,
                changes={"reason": "hard bounce"},
            )
    elif event_type == "complained" or (
        event_type == "rejected" and payload.get("reject_reason") == "spam"
    ):
        stamp("complained_at")
        suppression_add(address=recipient, reason=Suppression.Reason.COMPLAINT)
        if subscriber:
            subscriber_unsubscribe(
                subscriber=subscriber,
                method=ConsentRecord.Method.ESP_EVENT,
                campaign_id=delivery.campaign_id if delivery else None,
            )
    elif event_type == "opened":
        stamp("opened_at")
    elif event_type == "clicked":
        stamp("clicked_at")
        if delivery and delivery.opened_at is None:
            Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=when)
    elif event_type == "unsubscribed" and subscriber:
        subscriber_unsubscribe(
            subscriber=subscriber,
            method=ConsentRecord.Method.ESP_EVENT,
            campaign_id=delivery.campaign_id if delivery else None,
        )
    # Anything else (queued, deferred, unknown…) is kept for the record and ignored.
    record.processed_at = timezone.now()
    # The address is no longer needed once applied.
    record.payload = {k: v for k, v in payload.items() if k != "recipient"}
    record.save(update_fields=["processed_at", "payload"])
    return True
