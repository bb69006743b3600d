"""Background work for press releases. Tasks take ids and call services; their names are
fixed, so queued work and beat's schedule outlive a module move."""

from celery import shared_task
from django.core.management import call_command


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
