"""The media enquiry log: every call from the press, its handler and its deadline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from engagement.places.models import Operation

from .releases import PressReleasePage


class MediaEnquiryQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=MediaEnquiry.OPEN_STATUSES)

    def overdue(self, now=None):
        return self.open().filter(deadline__lt=now or timezone.now())


class MediaEnquiry(index.Indexed, models.Model):
    """A journalist's question, answered under the plan's media-enquiry protocol by the
    person the protocol names, before the outlet's deadline (guide, sections 3 and 4)."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_HAND = "in_hand", "Being handled"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined to comment"
        REFERRED = "referred", "Referred to a partner"

    OPEN_STATUSES = (Status.NEW, Status.IN_HAND)

    received_at = models.DateTimeField(default=timezone.now, verbose_name="received")
    outlet = models.CharField(max_length=160)
    journalist = models.CharField(max_length=160)
    journalist_contact = models.CharField(
        max_length=200, blank=True, help_text="Telephone or email to reply to."
    )
    question = models.TextField()
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_enquiries",
        help_text="Who answers, under the plan's media-enquiry protocol.",
    )
    protocol_subject = models.CharField(
        max_length=200, blank=True, help_text="Which line of the protocol applies."
    )
    deadline = models.DateTimeField(help_text="When the outlet needs an answer.")
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    release = models.ForeignKey(
        PressReleasePage,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enquiries",
        help_text="The release the enquiry follows, if any.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    response = models.TextField(blank=True, help_text="What was said, on the record.")
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = MediaEnquiryQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("received_at"),
                FieldPanel("outlet"),
                FieldPanel("journalist"),
                FieldPanel("journalist_contact"),
            ],
            "Enquiry",
        ),
        FieldPanel("question"),
        MultiFieldPanel(
            [
                FieldPanel("protocol_subject"),
                FieldPanel("handler"),
                FieldPanel("deadline"),
                FieldPanel("operation"),
                FieldPanel("release"),
            ],
            "Handling under the protocol",
        ),
        MultiFieldPanel(
            [FieldPanel("status"), FieldPanel("response"), FieldPanel("responded_at")],
            "Response",
        ),
    ]
    search_fields = [
        index.SearchField("outlet"),
        index.SearchField("journalist"),
        index.SearchField("question"),
        index.AutocompleteField("outlet"),
    ]

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "media enquiries"
        # The listing's default order and its outlet sort read an index, not every row.
        indexes = [
            models.Index(fields=["received_at"], name="mediaenquiry_received_idx"),
            models.Index(fields=["outlet"], name="mediaenquiry_outlet_idx"),
        ]

    def __str__(self):
        return f"{self.outlet}: {self.question[:60]}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline < timezone.now()

    def clean(self):
        errors = {}
        if self.deadline and self.received_at and self.deadline < self.received_at:
            errors["deadline"] = "The deadline cannot be before the enquiry was received."
        if self.status in (self.Status.ANSWERED, self.Status.DECLINED) and not self.response:
            errors["response"] = "Record what was said (or that we declined to comment)."
        if self.status == self.Status.ANSWERED and not self.responded_at:
            self.responded_at = timezone.now()
        if errors:
            raise ValidationError(errors)
