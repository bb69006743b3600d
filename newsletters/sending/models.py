"""The ledger of a campaign's send: one ``Delivery`` row per (campaign, subscriber) makes
sending idempotent and tracked."""

from django.db import models

from ..campaigns.models import Campaign
from ..subscribers.models import Subscriber


class Delivery(models.Model):
    """One campaign email to one subscriber: the ledger that makes sending idempotent.

    QUEUED → SENDING (claimed by one chunk, with a lease) → SENT → DELIVERED / BOUNCED…
    A row stuck in SENDING past its lease belonged to a worker that died; it is queued
    again, so only that one chunk can ever be sent twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        BOUNCED = "bounced", "Bounced"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Not sent: suppressed"

    # No index of its own: the claim-order index and the unique constraint both start with
    # the campaign, and every index is written again whenever a row changes status.
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    subscriber = models.ForeignKey(
        Subscriber, null=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    # The language of the email this row sends (the campaign's rendering in it): the
    # subscriber's own, or the newsletter's when it has no approved translation in theirs.
    # Empty on rows from before languages.
    language = models.CharField(max_length=12, blank=True, default="")
    claim = models.UUIDField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    esp_message_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "subscriber"], name="delivery_one_per_campaign_subscriber"
            )
        ]
        # A chunk claims a campaign's queued rows in id order: with the id in the index
        # that is a short range scan however many rows are already sent. Every index is
        # written again each time a row changes status (three times as it is sent), so
        # there is none on the message id: the one question that asks it (an event
        # without Signpost's delivery id) names the recipient too, and reaches the row
        # through the subscriber's address and the subscriber index.
        indexes = [
            models.Index(fields=["campaign", "status", "id"], name="delivery_claim_order"),
        ]

    def __str__(self):
        return f"{self.campaign} → {self.subscriber_id}"
