"""Newsletters and the campaigns that send them.

A newsletter is written once as a Wagtail page and sent as email campaigns, each signed
off by an Approver who did not write it (guide, sections 3 and 8).
"""

from django import forms
from django.conf import settings
from django.db import models
from django.http import HttpResponse
from django.utils import timezone
from signpost.content_security import with_own_styles
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from ..subscribers.models import Topic
from .blocks import NewsletterBodyBlock
from .email import render_newsletter_email, sample_merge_values


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
            rendered = render_newsletter_email(self, request=request)
            # Styled as the email is, under a policy that allows its own styles only.
            return with_own_styles(HttpResponse(rendered.html_for(sample_merge_values())))
        return super().serve_preview(request, mode_name)


class Campaign(models.Model):
    """One send of a newsletter to a segment of subscribers. Nothing leaves without an
    Approver's sign-off, the approver is never the author (guide, section 3), and what
    leaves is what was signed off: the newsletter version, subject and segment recorded
    at approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        AWAITING_APPROVAL = "in_review", "Awaiting approval"
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
    # The newsletter's translations signed off with it: {language code: revision id} of
    # each live translation that translated the approved version, whole, when approved.
    # A subscriber in another language gets the approved version itself.
    approved_translations = models.JSONField(default=dict, blank=True)
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
    # The language of rendered_*, the newsletter's own.
    rendered_language = models.CharField(max_length=12, blank=True)
    # The approved translations as rendered then: {code: {"subject", "html", "text"}}.
    rendered_translations = models.JSONField(default=dict, blank=True)

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
        return self.status in {
            self.Status.DRAFT,
            self.Status.AWAITING_APPROVAL,
            self.Status.APPROVED,
        }

    def segment_definition(self) -> dict:
        """The segment as chosen now, in the form recorded at approval."""
        return {
            "areas": sorted(self.areas.values_list("pk", flat=True)),
            "topics": sorted(self.topics.values_list("pk", flat=True)),
        }


class CampaignReview(models.Model):
    """One step of a campaign's sign-off, kept for good: the author asks for approval, an
    Approver approves or sends it back with a reason. It says who did what and when on
    the campaign's page, and whether the next person has been told by email
    (``notified_at``, stamped once, so a retried notice is not sent twice)."""

    class Action(models.TextChoices):
        REQUESTED = "requested", "Approval requested"
        APPROVED = "approved", "Approved"
        SENT_BACK = "sent_back", "Sent back"

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reviews")
    action = models.CharField(max_length=12, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField(blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["campaign", "-at"], name="campaignreview_latest")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.campaign}"
