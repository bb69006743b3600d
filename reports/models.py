"""Progress reports to the strategic group (guide, section 4 "Reporting progress" and
section 7 "Prove it works", "Set a review date").

A ``ProgressReport`` covers a chosen period. While it is a draft its figures are computed
afresh from the database each time it is shown; issuing it stores a snapshot of every
figure, the commentary and the rendered PDF, and from then on the report is never
recomputed or changed: the strategic group must be able to rely on what it was sent.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from signpost.storage import private_storage


class ReportIssuedError(ValidationError):
    """An issued report was about to be changed."""


class ProgressReportQuerySet(models.QuerySet):
    def issued(self):
        return self.filter(status=ProgressReport.Status.ISSUED)

    def visible_to(self, user):
        """Editors see drafts and issued reports; everyone else, issued reports only."""
        if user.has_perm("reports.change_progressreport"):
            return self.all()
        return self.issued()


class ProgressReport(models.Model):
    """A written progress report for the strategic group, for one period."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued"

    title = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField(help_text="The last day the report covers.")
    commentary = models.TextField(
        blank=True,
        help_text="A short written commentary for the strategic group: what went well, what "
        "did not, and what the figures can and cannot show.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Prepared by the monthly schedule rather than by a person.
    is_monthly = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    ready_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When its readers were told it was issued (once: a retried notice sends nothing).
    issued_notified_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Written once, when issued.
    issued_at = models.DateTimeField(null=True, blank=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    figures = models.JSONField(default=dict, blank=True, editable=False)
    pdf = models.FileField(
        upload_to="progress-reports/", storage=private_storage, blank=True, editable=False
    )
    pdf_page_count = models.PositiveIntegerField(default=0, editable=False)

    objects = ProgressReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_end", "-created_at"]
        permissions = [
            ("issue_progressreport", "Can issue progress reports to the strategic group"),
            ("view_dashboard", "Can see the communications dashboard"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="progressreport_period_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["period_start", "period_end"],
                condition=models.Q(is_monthly=True),
                name="progressreport_one_monthly_draft_per_month",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft")
                | (models.Q(issued_at__isnull=False) & ~models.Q(pdf="")),
                name="progressreport_issued_has_snapshot",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """An issued report is kept exactly as it was sent."""
        if getattr(self, "_loaded_status", None) == self.Status.ISSUED:
            raise ReportIssuedError("An issued report cannot be changed.")
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def delete(self, *args, **kwargs):
        if self.status == self.Status.ISSUED:
            raise ReportIssuedError("An issued report cannot be deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.status
        return instance

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    def get_admin_url(self) -> str:
        return reverse("reports_admin:report", args=[self.pk])

    def pdf_filename(self) -> str:
        return f"progress-report-{self.period_start:%Y-%m-%d}-to-{self.period_end:%Y-%m-%d}.pdf"

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "The period must end on or after its start."})


def period_label(start: datetime.date, end: datetime.date) -> str:
    if start.day == 1 and (end + datetime.timedelta(days=1)).day == 1 and start.month == end.month:
        return f"{start:%B %Y}"
    return f"{start:%-d %B %Y} to {end:%-d %B %Y}"
