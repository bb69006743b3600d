"""Background work for sending: thin, taking ids, safe to run twice."""

import logging

from signpost.celery import task

logger = logging.getLogger(__name__)

# Back-off for transient ESP errors: 10s, 20s, 40s, 80s, 160s.
RETRY_BASE_SECONDS = 10


@task(
    "newsletters.campaign_send_chunk",
    bind=True,
    max_retries=5,
    acks_late=True,
    ignore_result=True,
    ledger=False,  # sending keeps its own ledger (Delivery rows, leases, resume)
)
def campaign_send_chunk(
    self,
    campaign_id: int,
    claim: str | None = None,
    first_id: int | None = None,
    last_id: int | None = None,
    continue_ledger: bool = False,
) -> int:
    from . import services  # tasks import their services when they run (services import tasks)

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


@task("newsletters.campaign_write_deliveries", acks_late=True, ignore_result=True, ledger=False)
def campaign_write_deliveries(campaign_id: int) -> int:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.campaign_write_deliveries(campaign_id=campaign_id)


@task("newsletters.campaigns_send_due", ledger=False)  # beat, every minute
def campaigns_send_due() -> list[int]:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.campaigns_send_due()


@task("newsletters.deliveries_resume_stalled", ledger=False)  # beat, every minute
def deliveries_resume_stalled() -> int:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.deliveries_resume_stalled()
