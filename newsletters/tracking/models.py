"""The ESP's tracking events, kept as they arrive."""

from django.db import models
from django.utils import timezone


class TrackingEvent(models.Model):
    """An ESP tracking event, kept once by its id so a replayed webhook changes nothing."""

    event_id = models.CharField(max_length=200, unique=True)
    event_type = models.CharField(max_length=32)
    received_at = models.DateTimeField(default=timezone.now)
    payload = models.JSONField(default=dict)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"
