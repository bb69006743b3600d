"""Background work for the engagement app. Tasks take ids and call services."""

from celery import shared_task


@shared_task
def stakeholder_alert_email(alert_id: int) -> int:
    """Tell the communications officers that a stakeholder's interest rose."""
    from .services import stakeholder_alert_email_send

    return stakeholder_alert_email_send(alert_id=alert_id)


@shared_task
def stakeholder_overdue_remind() -> int:
    """Daily: bring next-due dates up to date and remind of newly overdue actions."""
    from .services import stakeholder_overdue_remind_send

    return stakeholder_overdue_remind_send()
