"""The surveys' background work: storing pending answers in shuffled batches. The task
takes nothing, so no answer ever travels in a Celery message, and is registered as
``surveys.<the service it runs>``."""

from signpost.celery import task


@task("surveys.responses_flush")
def responses_flush() -> int:
    """Store each wave's pending answers once enough have arrived (beat, every few
    minutes); running twice stores nothing twice."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.responses_flush()
