"""Celery tasks: thin, taking ids, safe to run twice."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)

# Back-off for transient ESP errors: 10s, 20s, 40s, 80s, 160s.
RETRY_BASE_SECONDS = 10


@shared_task(
    bind=True,
    name="newsletters.campaign_send_chunk",
    max_retries=5,
    acks_late=True,
    ignore_result=True,
)
def campaign_send_chunk(
    self,
    campaign_id: int,
    claim: str | None = None,
    first_id: int | None = None,
    last_id: int | None = None,
    continue_ledger: bool = False,
) -> int:
    try:
        return services.campaign_send_chunk(
            campaign_id=campaign_id,
            claim=claim,
            first_id=first_id,
            last_id=last_id,
            continue_ledger=continue_ledger,
        )
    except services.ChunkRetry as error:
        if self.request.retries >= self.max_retries:
            # The rows stay claimed until their lease runs out; then the resume task
            # queues them again (or, after too many attempts, marks them failed).
            logger.warning(
                "Campaign %s: chunk %s gave up for now: %s", campaign_id, error.claim, error
            )
            return 0
        raise self.retry(
            args=[campaign_id, error.claim, error.first_id, error.last_id],
            countdown=RETRY_BASE_SECONDS * 2**self.request.retries,
            exc=error,
        ) from error


@shared_task(name="newsletters.campaign_write_deliveries", acks_late=True, ignore_result=True)
def campaign_write_deliveries(campaign_id: int) -> int:
    return services.campaign_write_deliveries(campaign_id=campaign_id)


@shared_task(name="newsletters.campaigns_send_due")
def campaigns_send_due() -> list[int]:
    return services.campaigns_send_due()


@shared_task(name="newsletters.deliveries_resume_stalled")
def deliveries_resume_stalled() -> int:
    return services.deliveries_resume_stalled()


@shared_task(name="newsletters.subscribers_purge_unconfirmed")
def subscribers_purge_unconfirmed() -> int:
    return services.subscribers_purge_unconfirmed()


@shared_task(name="newsletters.tracking_event_process", acks_late=True)
def tracking_event_process(event_pk: int) -> bool:
    return services.tracking_event_process(event_pk=event_pk)


@shared_task(name="newsletters.subscriber_sign_up")
def subscriber_sign_up(
    email: str,
    name: str,
    postcode: str,
    topic_ids: list[int],
    area_id: int | None,
    wording_version: str,
) -> None:
    """The sign-up form's work, off the request: the form answers in the same time for
    an address that is new, pending or already subscribed."""
    from engagement.models import Area

    from .models import Topic

    services.subscriber_sign_up(
        email=email,
        name=name,
        postcode=postcode,
        topics=Topic.objects.filter(pk__in=topic_ids),
        area=Area.objects.filter(pk=area_id).first() if area_id else None,
        wording_version=wording_version,
    )
