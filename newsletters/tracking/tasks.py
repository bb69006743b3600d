"""Background work for tracking events. Tasks take ids and call services."""

from signpost.celery import task


@task("newsletters.tracking_event_process", acks_late=True)
def tracking_event_process(event_pk: int) -> bool:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.tracking_event_process(event_pk=event_pk)
