"""Background work for reports: the monthly draft and its notice, and the notice of an
issued report. Each task takes ids, runs the service it is named after, and is registered
as ``reports.<that name>``."""

from signpost.celery import task


@task("reports.report_draft_monthly", formerly=("reports.draft_monthly_report",))
def report_draft_monthly() -> int:
    """Monthly (beat): prepare last month's draft progress report, once."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.report_draft_monthly().pk


@task("reports.report_ready_notify_send", formerly=("reports.report_ready_notify",))
def report_ready_notify_send(report_id: int) -> int:
    """Tell the communications officers a draft is ready; safe to run twice."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.report_ready_notify_send(report_id=report_id)


@task("reports.report_issued_notify_send")
def report_issued_notify_send(report_id: int) -> int:
    """Tell an issued report's readers it is issued; safe to run twice."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.report_issued_notify_send(report_id=report_id)
