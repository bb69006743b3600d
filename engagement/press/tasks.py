"""Background work for press releases. Each task takes ids, runs the service it is named
after, and is registered as ``engagement.<that name>``, so queued work and beat's
schedule outlive a module move."""

from django.core.management import call_command
from signpost.celery import task


@task("engagement.press_release_email_media_contacts")
def press_release_email_media_contacts(release_id: int) -> int:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.press_release_email_media_contacts(release_id=release_id)


@task("engagement.press_release_notice_send")
def press_release_notice_send(notice_id: int) -> int:
    """Tell the next person about a step of a release's sign-off; safe to run twice."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.press_release_notice_send(notice_id=notice_id)


@task("engagement.press_release_mailings_retry")
def press_release_mailings_retry() -> int:
    """Every 15 minutes: send the press-release emails that failed or were lost."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.press_release_mailings_retry()


@task(
    "engagement.pages_publish_scheduled",
    formerly=("engagement.publish_scheduled",),
    ledger=False,  # beat, every minute
)
def pages_publish_scheduled() -> None:
    """Make approved, embargoed releases (and any other scheduled page) go live once their
    time has come; beat runs this every minute. Wagtail's own command does the work."""
    call_command("publish_scheduled")
