"""Background work for reports: the monthly draft and its notice. Tasks take ids."""

from celery import shared_task


@shared_task(name="reports.draft_monthly_report")
def draft_monthly_report() -> int:
    """Monthly (beat): prepare last month's draft progress report, once."""
    from .services import report_draft_monthly

    return report_draft_monthly().pk


@shared_task(name="reports.report_ready_notify")
def report_ready_notify(report_id: int) -> int:
    """Tell the communications officers a draft is ready; safe to run twice."""
    from .services import report_ready_notify_send

    return report_ready_notify_send(report_id=report_id)
