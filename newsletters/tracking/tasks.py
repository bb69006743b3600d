"""Background work for tracking events. Tasks take ids and call services."""

from celery import shared_task


@shared_task(name="newsletters.tracking_event_process", acks_late=True)
def tracking_event_process(event_pk: int) -> bool:
    from . import services  # services queue this task: imported when it runs

    return services.tracking_event_process(event_pk=event_pk)
