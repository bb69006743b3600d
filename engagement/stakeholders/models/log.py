"""The engagement log: every meeting, call and forum with stakeholders, and the concern
themes they raised."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from engagement.activities.models import Activity
from engagement.places.models import Area, Operation

from .register import Stakeholder


class ConcernTheme(models.Model):
    """A theme of concern raised by residents (e.g. 'dealing in the street'), so door-to-door
    sessions and forum meetings can be counted by theme without recording who said what."""

    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class EngagementQuerySet(models.QuerySet):
    def follow_up_open(self):
        return self.filter(follow_up_due__isnull=False, follow_up_done_on__isnull=True)

    def follow_up_overdue(self, on=None):
        return self.follow_up_open().filter(follow_up_due__lt=on or timezone.localdate())


class Engagement(models.Model):
    """One logged interaction with stakeholders or residents (guide section 8, 'Modes of
    communication'). Door-to-door sessions and forum meetings record counts and themes
    only: never a resident's name, address or anything that identifies them."""

    class Mode(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one meeting"
        FORUM_MEETING = "forum_meeting", "Community forum meeting"
        PRESENTATION = "presentation", "Presentation"
        DOOR_TO_DOOR = "door_to_door", "Door-to-door session"
        PHONE_CALL = "phone_call", "Phone call"
        EMAIL = "email", "Email"

    # Modes that appear in the activity calendar as delivered when logged.
    CALENDAR_MODES = {
        Mode.ONE_TO_ONE: Activity.Mode.ONE_TO_ONE,
        Mode.FORUM_MEETING: Activity.Mode.FORUM_MEETING,
        Mode.PRESENTATION: Activity.Mode.PRESENTATION,
        Mode.DOOR_TO_DOOR: Activity.Mode.DOOR_TO_DOOR,
    }

    mode = models.CharField(max_length=32, choices=Mode.choices)
    title = models.CharField(
        max_length=200, help_text="A short description, e.g. 'Eastfield PACT meeting'."
    )
    occurred_on = models.DateField("date")
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements"
    )
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="engagements"
    )
    place = models.CharField(max_length=200, blank=True, help_text="Venue, for meetings.")
    stakeholders = models.ManyToManyField(
        Stakeholder,
        blank=True,
        related_name="engagements",
        verbose_name="stakeholders present",
        help_text="Register stakeholders who took part. Never residents met door to door.",
    )
    attendance_count = models.PositiveIntegerField(null=True, blank=True)
    streets = models.TextField(blank=True, help_text="Streets covered, one per line.")
    doors_knocked = models.PositiveIntegerField(null=True, blank=True)
    conversations = models.PositiveIntegerField(null=True, blank=True)
    themes = models.ManyToManyField(
        ConcernTheme, blank=True, related_name="engagements", verbose_name="themes of concern"
    )
    issues_raised = models.TextField(
        blank=True, help_text="What was raised. No names or details of residents."
    )
    actions_agreed = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    follow_up_action = models.CharField(max_length=200, blank=True)
    follow_up_due = models.DateField(null=True, blank=True)
    follow_up_done_on = models.DateField(null=True, blank=True)
    follow_up_reminded_on = models.DateField(null=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        # The log's default order and its sorts read a page from an index, not every row.
        indexes = [
            models.Index(fields=["occurred_on", "created_at"], name="engagement_occurred_idx"),
            models.Index(fields=["follow_up_due"], name="engagement_follow_up_due_idx"),
            models.Index(fields=["title"], name="engagement_title_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(conversations__isnull=True)
                | models.Q(doors_knocked__isnull=True)
                | models.Q(conversations__lte=models.F("doors_knocked")),
                name="engagement_conversations_within_doors",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.occurred_on:%d %b %Y})"

    def stakeholders_label(self) -> str:
        if hasattr(self, "stakeholders_joined"):  # an export's row carries the names
            return self.stakeholders_joined or ""
        return ", ".join(s.name for s in self.stakeholders.all())

    def themes_label(self) -> str:
        if hasattr(self, "themes_joined"):
            return self.themes_joined or ""
        return ", ".join(t.name for t in self.themes.all())

    def clean(self):
        errors = {}
        if self.occurred_on and self.occurred_on > timezone.localdate():
            errors["occurred_on"] = (
                "An engagement is logged once it has happened; plan future ones in the "
                "activity calendar."
            )
        if self.mode == self.Mode.DOOR_TO_DOOR:
            if not self.area_id:
                errors["area"] = "Say which area the door-to-door session covered."
            if self.doors_knocked is None:
                errors["doors_knocked"] = "Record how many doors were knocked."
            if (
                self.doors_knocked is not None
                and self.conversations is not None
                and self.conversations > self.doors_knocked
            ):
                errors["conversations"] = "There cannot be more conversations than doors knocked."
        if self.mode == self.Mode.FORUM_MEETING:
            if not self.area_id:
                errors["area"] = "Say which area the forum meeting served."
            if self.attendance_count is None:
                errors["attendance_count"] = "Record how many people attended."
        if self.follow_up_due and not self.follow_up_action:
            errors["follow_up_action"] = "Say what the follow-up is."
        if self.follow_up_action and not self.follow_up_due:
            errors["follow_up_due"] = "Give the follow-up a due date."
        if self.follow_up_due and self.occurred_on and self.follow_up_due < self.occurred_on:
            errors["follow_up_due"] = "The follow-up cannot be due before the engagement."
        if self.follow_up_done_on and self.follow_up_done_on > timezone.localdate():
            errors["follow_up_done_on"] = "A follow-up cannot be done in the future."
        if errors:
            raise ValidationError(errors)
