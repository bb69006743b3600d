"""Background work for the engagement app. Tasks take ids and call services."""

from celery import shared_task
from django.core.management import call_command


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


@shared_task(name="engagement.press_release_email_media_contacts")
def press_release_email_media_contacts(release_id: int) -> int:
    from .services import press_release_email_media_contacts as email_media_contacts

    return email_media_contacts(release_id=release_id)


@shared_task(name="engagement.press_release_mailings_retry")
def press_release_mailings_retry() -> int:
    """Every 15 minutes: send the press-release emails that failed or were lost."""
    from .services import press_release_mailings_retry as retry

    return retry()


@shared_task(name="engagement.publish_scheduled")
def publish_scheduled() -> None:
    """Make approved, embargoed releases (and any other scheduled page) go live once their
    time has come; beat runs this every minute."""
    call_command("publish_scheduled")
