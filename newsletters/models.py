"""Newsletters, subscribers and campaigns (see DESIGN.md, "Campaign send").

The guide's section 8 ("Leaflets and newsletters", "Emails"): residents who signed up get
regular news of what is being done in their area. A newsletter is written once as a
Wagtail page and sent as email campaigns; every consent change is recorded; a
``Delivery`` row per (campaign, subscriber) makes sending idempotent and tracked.
"""

import hashlib
import uuid

from django import forms
from django.conf import settings
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import NewsletterBodyBlock


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


class NewsletterPage(Page):
    """A newsletter written once: a web page, an email (the "email" preview mode) and,
    with the printing app, a leaflet."""

    introduction = models.TextField(
        blank=True, help_text="A sentence or two under the title; also the email's preheader."
    )
    area = models.ForeignKey(
        "engagement.Area",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The area this issue is about, if it is about one.",
    )
    body = StreamField(NewsletterBodyBlock(), blank=True, use_json_field=True)

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("area"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("introduction"),
        index.SearchField("body"),
    ]
    template = "newsletters/newsletter_page.html"

    class Meta:
        verbose_name = "newsletter"

    @property
    def preview_modes(self):
        return [("", "Web page"), ("email", "Email")]

    def serve_preview(self, request, mode_name):
        if mode_name == "email":
            from django.http import HttpResponse

            from .email import render_newsletter_email, sample_merge_values

            rendered = render_newsletter_email(self, request=request)
            return HttpResponse(rendered.html_for(sample_merge_values()))
        return super().serve_preview(request, mode_name)


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
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "area"])]

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


class Campaign(models.Model):
    """One send of a newsletter to a segment of subscribers. Nothing leaves without an
    Approver's sign-off, the approver is never the author (guide, section 3), and what
    leaves is what was signed off: the newsletter version, subject and segment recorded
    at approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        APPROVED = "approved", "Approved"
        SCHEDULED = "scheduled", "Scheduled"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        CANCELLED = "cancelled", "Cancelled"

    name = models.CharField(max_length=120, help_text="For staff, e.g. 'March update, Eastfield'.")
    newsletter = models.ForeignKey(
        NewsletterPage, on_delete=models.PROTECT, related_name="campaigns"
    )
    subject = models.CharField(max_length=150)
    areas = models.ManyToManyField(
        "engagement.Area",
        blank=True,
        related_name="campaigns",
        help_text="Subscribers in these areas. None chosen: every area.",
    )
    topics = models.ManyToManyField(
        Topic,
        blank=True,
        related_name="campaigns",
        help_text="Subscribers who chose any of these topics. None chosen: every subscriber.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # What the approver signed off: the newsletter's version, the subject and the segment.
    # The campaign sends that version, whatever is published on the page later.
    approved_revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version of the newsletter the approver signed off.",
    )
    approved_subject = models.CharField(max_length=150, blank=True)
    approved_segment = models.JSONField(default=dict, blank=True)
    test_sent_at = models.DateTimeField(null=True, blank=True)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    send_started_at = models.DateTimeField(null=True, blank=True)
    send_finished_at = models.DateTimeField(null=True, blank=True)
    # The ledger is written a piece at a time while the first pieces are sent; this says
    # when its last piece was written (until then the campaign cannot be finished).
    ledger_written_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    # The email as rendered when sending began, so every chunk sends the same thing.
    rendered_subject = models.CharField(max_length=150, blank=True)
    rendered_html = models.TextField(blank=True)
    rendered_text = models.TextField(blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("newsletter"),
        FieldPanel("subject"),
        MultiFieldPanel(
            [
                FieldPanel("areas", widget=forms.CheckboxSelectMultiple),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
            ],
            "Who receives it",
        ),
    ]

    class Meta:
        ordering = ["-created_at"]
        permissions = [("approve_campaign", "Can approve campaigns for sending")]

    def __str__(self):
        return self.name

    @property
    def is_editable(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.APPROVED}

    def segment_definition(self) -> dict:
        """The segment as chosen now, in the form recorded at approval."""
        return {
            "areas": sorted(self.areas.values_list("pk", flat=True)),
            "topics": sorted(self.topics.values_list("pk", flat=True)),
        }


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
