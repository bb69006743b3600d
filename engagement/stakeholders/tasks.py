"""Background work for the stakeholder register. Each task takes ids, runs the service
it is named after, and is registered as ``engagement.<that name>``."""

from signpost.celery import task


@task(
    "engagement.stakeholder_alert_email_send",
    formerly=("engagement.tasks.stakeholder_alert_email",),
)
def stakeholder_alert_email_send(alert_id: int) -> int:
    """Tell the communications officers that a stakeholder's interest rose."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.stakeholder_alert_email_send(alert_id=alert_id)


@task(
    "engagement.stakeholder_overdue_remind_send",
    formerly=("engagement.tasks.stakeholder_overdue_remind",),
)
def stakeholder_overdue_remind_send() -> int:
    """Daily: bring next-due dates up to date and remind of newly overdue actions."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.stakeholder_overdue_remind_send()
