"""Background work for a campaign's sign-off: thin, taking ids, safe to run twice."""

from signpost.celery import task


@task("newsletters.campaign_review_notify_send")
def campaign_review_notify_send(review_id: int) -> int:
    """Tell the next person about one step of a campaign's sign-off, once."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.campaign_review_notify_send(review_id=review_id)
