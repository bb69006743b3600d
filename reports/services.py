"""Every write in the reports app: drafting, editing, issuing, and the monthly draft."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from signpost import jobs
from signpost.links import absolute_url
from signpost.mail import email_once, role_email_once
from signpost.pdf import accessible_pdf, render_template_document
from signpost.roles import COMMUNICATIONS_OFFICER, emails_of, permission_holders
from signpost.sanitise import clean_text
from wagtail.log_actions import log

from . import tasks
from .models import ProgressReport, ReportIssuedError
from .periods import TOO_LATE, Period, ends_too_late
from .selectors import report_figures

# Audit-log action, named <app>.<thing>.<verb> (migration 0002 renamed "reports.issue").
LOG_ACTION_ISSUE = "reports.report.issued"
COMMENTARY_MAX_LENGTH = 6000
PDF_TEMPLATE = "print/progress_report.html"


def _validate(*, title: str, period_start, period_end) -> dict:
    errors = {}
    if not title:
        errors["title"] = "Give the report a title."
    if period_start and period_end and period_end < period_start:
        errors["period_end"] = "The period must end on or after its start."
    if period_start and period_start > timezone.localdate():
        errors["period_start"] = "A report cannot start in the future."
    if period_end and ends_too_late(period_end, timezone.localdate()):
        errors["period_end"] = TOO_LATE
    return errors


def report_create(
    *,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    commentary: str = "",
    user=None,
) -> ProgressReport:
    """A new draft report for a period; its figures are computed each time it is shown."""
    title = clean_text(title, max_length=200)
    errors = _validate(title=title, period_start=period_start, period_end=period_end)
    if errors:
        raise ValidationError(errors)
    return ProgressReport.objects.create(
        title=title,
        period_start=period_start,
        period_end=period_end,
        commentary=clean_text(commentary, max_length=COMMENTARY_MAX_LENGTH),
        created_by=user,
    )


@transaction.atomic
def report_update(
    *,
    report: ProgressReport,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    commentary: str,
) -> ProgressReport:
    """Change a draft's title, period or commentary. Issued reports refuse."""
    report = ProgressReport.objects.select_for_update().get(pk=report.pk)
    if report.is_issued:
        raise ReportIssuedError("This report has been issued and can no longer be changed.")
    title = clean_text(title, max_length=200)
    errors = _validate(title=title, period_start=period_start, period_end=period_end)
    if errors:
        raise ValidationError(errors)
    report.title = title
    report.period_start, report.period_end = period_start, period_end
    report.commentary = clean_text(commentary, max_length=COMMENTARY_MAX_LENGTH)
    report.save()
    return report


def report_delete(*, report: ProgressReport) -> None:
    """Discard a draft. Issued reports are kept for good."""
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        report.delete()


def report_render(*, report: ProgressReport, figures: dict):
    """The laid-out PDF document of a report with the given figures."""
    return render_template_document(
        PDF_TEMPLATE, {"report": report, "figures": figures, "for_print": True}
    )


def report_context(report: ProgressReport) -> dict:
    """What the report shows: the stored snapshot once issued, live figures before."""
    if report.is_issued:
        return report.figures
    return report_figures(Period(report.period_start, report.period_end))


def report_issue(*, report: ProgressReport, user) -> ProgressReport:
    """Issue a draft: compute its figures once, render the PDF, and keep both for good.

    The row is locked while issuing, so two clicks issue it once; if rendering fails
    nothing is stored and the report stays a draft.
    """
    with transaction.atomic():
        report = ProgressReport.objects.select_for_update().get(pk=report.pk)
        if report.is_issued:
            raise ReportIssuedError("This report has already been issued.")
        if not report.commentary.strip():
            raise ValidationError(
                {"commentary": "Add a short commentary for the strategic group before issuing."}
            )
        figures = report_figures(Period(report.period_start, report.period_end))
        now = timezone.now()
        report.status = ProgressReport.Status.ISSUED
        report.issued_at, report.issued_by = now, user
        document = report_render(report=report, figures=figures)
        report.figures = figures
        report.pdf_page_count = len(document.pages)
        report.pdf.save(report.pdf_filename(), ContentFile(accessible_pdf(document)), save=False)
        report.save()
        log(instance=report, action=LOG_ACTION_ISSUE, user=user)
        # In the issuing transaction: issued means its readers will be told.
        jobs.job_queue(
            tasks.report_issued_notify_send,
            report.pk,
            label=f"Report {report.pk}: tell its readers it is issued",
        )
    return report


READ_PERMISSION = "reports.view_progressreport"


def report_readers(report: ProgressReport) -> list[str]:
    """Who is told of an issued report: everyone who may read it (the roles given
    ``view_progressreport``, partners among them), but whoever issued it."""
    return emails_of(permission_holders(READ_PERMISSION).exclude(pk=report.issued_by_id))


def report_issued_notify_send(*, report_id: int) -> int:
    """Email the report's readers that it is issued, once, with a link to it (it opens
    only after signing in, to those who may read it). Only an issued report is ever
    announced, and the email carries none of its figures or commentary. Returns how many
    were told."""

    def compose(report: ProgressReport) -> dict:
        return {
            "subject": f"Progress report issued: {report.period_label()}",
            "text_template": "email/reports/report_issued.txt",
            "context": {"report": report, "url": absolute_url(report.get_admin_url())},
        }

    return email_once(
        ProgressReport.objects.select_related("issued_by").filter(
            pk=report_id, status=ProgressReport.Status.ISSUED, issued_notified_at__isnull=True
        ),
        stamp="issued_notified_at",
        recipients=report_readers,
        compose=compose,
    )


# --- Monthly draft -----------------------------------------------------------------------


def report_draft_monthly(*, today: datetime.date | None = None) -> ProgressReport:
    """Prepare last month's draft report, once, and tell the communications officers.

    The unique monthly constraint makes a second run find the same draft; the notice is
    sent once (``ready_notified_at``), after the draft is committed.
    """
    today = today or timezone.localdate()
    period = Period.previous_month(today)
    defaults = {"title": f"Progress report: {period.label}"}
    try:
        with transaction.atomic():
            report, _created = ProgressReport.objects.get_or_create(
                is_monthly=True,
                period_start=period.start,
                period_end=period.end,
                defaults=defaults,
            )
            # In the draft's own transaction: a worker dying after it commits leaves
            # the notice in the ledger, for beat to send.
            _queue_ready_notice(report)
    except IntegrityError:
        # Another worker made it a moment ago.
        report = ProgressReport.objects.get(
            is_monthly=True, period_start=period.start, period_end=period.end
        )
    _queue_ready_notice(report)
    return report


def _queue_ready_notice(report: ProgressReport) -> None:
    if report.ready_notified_at is None:
        jobs.job_queue(
            tasks.report_ready_notify_send,
            report.pk,
            label=f"Report {report.pk}: tell the communications officers it is ready",
        )


def report_ready_notify_send(*, report_id: int) -> int:
    """Email the communications officers that a draft is ready for their commentary.

    The row is locked and stamped in the same transaction, so a retried task sends
    nothing the second time. Returns how many people were told.
    """

    def compose(report: ProgressReport) -> dict:
        return {
            "subject": f"Draft progress report ready: {report.period_label()}",
            "text_template": "email/reports/report_ready.txt",
            "context": {"report": report, "url": absolute_url(report.get_admin_url())},
        }

    return role_email_once(
        ProgressReport.objects.filter(pk=report_id, ready_notified_at__isnull=True, status="draft"),
        stamp="ready_notified_at",
        role=COMMUNICATIONS_OFFICER,
        compose=compose,
    )
