"""The communication plan's activity calendar: what is planned, and what was delivered
(guide, section 3)."""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone

from engagement.places.models import Area, Operation


class ActivityQuerySet(models.QuerySet):
    def plan_summary(self, *, today: datetime.date | None = None, upcoming: int = 8) -> dict:
        """What the plan page shows of the calendar: the year's totals and what comes next."""
        today = today or timezone.localdate()
        year_start = today.replace(month=1, day=1)
        year_end = today.replace(month=12, day=31)
        totals = self.aggregate(
            planned=Count("pk", filter=Q(planned_on__range=(year_start, year_end))),
            delivered=Count("pk", filter=Q(delivered_on__range=(year_start, year_end))),
            overdue=Count("pk", filter=Q(planned_on__lt=today, delivered_on__isnull=True)),
        )
        totals["upcoming"] = list(
            self.filter(planned_on__gte=today, delivered_on__isnull=True)
            .select_related("area")
            .order_by("planned_on")[:upcoming]
        )
        totals["by_mode"] = list(
            self.filter(
                Q(planned_on__range=(year_start, year_end))
                | Q(delivered_on__range=(year_start, year_end))
            )
            .values("mode")
            .annotate(
                planned=Count("pk", filter=Q(planned_on__isnull=False)),
                delivered=Count("pk", filter=Q(delivered_on__isnull=False)),
            )
            .order_by("mode")
        )
        labels = dict(Activity.Mode.choices)
        for row in totals["by_mode"]:
            row["label"] = labels.get(row["mode"], row["mode"])
        totals["year"] = today.year
        return totals


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

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["planned_on", "delivered_on", "title"]
        verbose_name_plural = "activities"
        # The calendar's default order and its sorts read an index, not every row.
        indexes = [
            models.Index(
                fields=["planned_on", "delivered_on", "title"], name="activity_planned_idx"
            ),
            models.Index(fields=["owner", "planned_on"], name="activity_owner_idx"),
        ]
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
