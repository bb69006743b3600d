"""Residents who asked for email updates, what they chose to hear about, every change of
their consent, and the addresses never to be mailed again.

The guide's section 8 ("Emails"): residents who signed up get regular news of what is
being done in their area. Only confirmed subscribers are mailed, and every consent change
is recorded.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel


def email_hash(email: str) -> str:
    """A stable fingerprint of an address, so a suppression outlives the subscriber's
    erasure without keeping the address itself."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


class Topic(models.Model):
    """Something a resident can choose to hear about (e.g. enforcement news, help and
    treatment, community events)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.CharField(max_length=200, blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def not_suppressed(self):
        return self.exclude(email_hash__in=Suppression.objects.values("email_hash"))

    def mailable(self):
        """Confirmed, and not on the suppression list: the only people a campaign mails."""
        return self.confirmed().not_suppressed()


class Subscriber(models.Model):
    """A resident who asked for email updates. Only confirmed subscribers are mailed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        CONFIRMED = "confirmed", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(max_length=254, unique=True)
    email_hash = models.CharField(max_length=64, unique=True, editable=False)
    name = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    area = models.ForeignKey(
        "engagement.Area",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subscribers",
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="subscribers")
    # The language the resident signed up in: every email to them is written in it.
    language = models.CharField(
        max_length=12,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text="Every email to this subscriber is in this language.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    # When the welcome email went, so each confirmation is welcomed once.
    welcomed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "area"]),
            # The register opens newest first: a page of it is a short index scan, not a
            # sort of every subscriber. (Search has trigram indexes on PostgreSQL,
            # migration 0008.)
            models.Index(fields=["-created_at"], name="subscriber_newest_first"),
            # Who joined and who left in a report's span, counted per area: the span's
            # entries in the index alone, neither the register nor its rows.
            models.Index(fields=["confirmed_at", "area"], name="subscriber_confirmed_area"),
            models.Index(fields=["unsubscribed_at", "area"], name="subscriber_unsub_area"),
            # The register's other sorts: a page of a million rows read in order.
            models.Index(fields=["name", "-id"], name="subscriber_name_order"),
            models.Index(fields=["language", "-id"], name="subscriber_language_order"),
        ]

    def __str__(self):
        return self.email

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        self.email_hash = email_hash(self.email)
        super().save(*args, **kwargs)


class ConsentRecord(models.Model):
    """One change of a subscriber's consent: when, how, what wording they were shown and
    what changed. Kept for as long as the subscriber is (UK GDPR Article 7(1))."""

    class Action(models.TextChoices):
        SIGNED_UP = "signed_up", "Signed up (not yet confirmed)"
        CONFIRMED = "confirmed", "Confirmed by email link"
        PREFERENCES_CHANGED = "preferences_changed", "Changed preferences"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        SUPPRESSED = "suppressed", "Stopped by the email provider"

    class Method(models.TextChoices):
        WEB_FORM = "web_form", "Sign-up form on the website"
        EMAIL_LINK = "email_link", "Link in an email"
        PREFERENCE_PAGE = "preference_page", "Preference page"
        ONE_CLICK = "one_click", "One-click unsubscribe from the mail program"
        ESP_EVENT = "esp_event", "Email provider report (bounce or complaint)"
        ADMIN = "admin", "Staff in the admin"

    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.CASCADE, related_name="consent_records"
    )
    at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=24, choices=Action.choices)
    method = models.CharField(max_length=24, choices=Method.choices)
    wording_version = models.CharField(max_length=20, blank=True)
    # The language the wording was shown in (the version names the words, this their
    # translation).
    language = models.CharField(max_length=12, blank=True)
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%d %b %Y %H:%M})"


class Suppression(models.Model):
    """An address never to be mailed again by a campaign. Holds only a hash of the address,
    so it survives erasure of the subscriber."""

    class Reason(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", "Hard bounce"
        COMPLAINT = "complaint", "Spam complaint"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        MANUAL = "manual", "Added by staff"

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_reason_display()} {self.email_hash[:12]}…"


class AreaSubscriberCount(models.Model):
    """How many confirmed subscribers each area has, kept by the database itself.

    Counting them from the register reads every subscriber (a million for a police
    force), and the admin home, the dashboard and every report show the figure. On
    PostgreSQL triggers on the subscriber table (migration 0010) add and take away in the
    same transaction as every insert, change of status or area, and deletion, however it
    is made (a form, a bulk update, an area's deletion clearing its subscribers' area), so
    the figure is right the moment the change commits. ``area_key`` is the area's id, 0
    for subscribers outside the areas. SQLite (the embedded default, a small register)
    counts the register itself and leaves this table empty.
    """

    OUTSIDE_AREAS = 0

    area_key = models.IntegerField(primary_key=True)
    subscribed = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.area_key}: {self.subscribed}"
