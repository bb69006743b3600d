"""Background work for the stakeholder register. Tasks take ids and call services; their
names are fixed, so queued work and beat's schedule outlive a module move."""

from celery import shared_task


@shared_task(name="engagement.tasks.stakeholder_alert_email")
def stakeholder_alert_email(alert_id: int) -> int:
    """Tell the communications officers that a stakeholder's interest rose."""
    from .services import stakeholder_alert_email_send

    return stakeholder_alert_email_send(alert_id=alert_id)


@shared_task(name="engagement.tasks.stakeholder_overdue_remind")
def stakeholder_overdue_remind() -> int:
    """Daily: bring next-due dates up to date and remind of newly overdue actions."""
    from .services import stakeholder_overdue_remind_send

    return stakeholder_overdue_remind_send()
