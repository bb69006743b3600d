"""The communication plan's activity calendar: what is planned, and what was delivered
(guide, section 3)."""

from django.conf import settings
from django.db import models

from engagement.places.models import Area, Operation


class Activity(models.Model):
    """One line of the communication plan's activity calendar: something planned (a
    leaflet drop, a forum meeting…) and, once done, when it was delivered.

    Things Signpost does itself (a campaign sent, a print run, a press release published,
    a forum meeting logged) are recorded as delivered by
    ``engagement.activities.services.activity_record_delivered``, keyed on the object that did it.
    """

    class Mode(models.TextChoices):
        LEAFLET_DROP = "leaflet_drop", "Leaflet drop"
        EMAIL_NEWSLETTER = "email_newsletter", "Email newsletter"
        FORUM_MEETING = "forum_meeting", "Community forum meeting"
        DOOR_TO_DOOR = "door_to_door", "Door-to-door calls"
        REMOVABLE_SIGNS = "removable_signs", "Removable signs"
        PRESS_RELEASE = "press_release", "Press release"
        PRESENTATION = "presentation", "Presentation"
        ONE_TO_ONE = "one_to_one", "One-to-one meeting"
        SURVEY = "survey", "Perception survey"

    title = models.CharField(max_length=200)
    mode = models.CharField(max_length=32, choices=Mode.choices)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    audience = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    planned_on = models.DateField(null=True, blank=True)
    delivered_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    # The Signpost object that delivered it, when Signpost itself did the work.
    source_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    source_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["planned_on", "delivered_on", "title"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id"],
                condition=models.Q(source_type__isnull=False),
                name="activity_one_record_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_on__isnull=False) | models.Q(delivered_on__isnull=False),
                name="activity_planned_or_delivered",
            ),
        ]

    def __str__(self):
        return self.title
