"""Background rendering of print runs and the daily chase of signs left up. Each task
takes ids, runs the service it is named after, and is registered as
``printing.<that name>``."""

from celery import chord
from django.conf import settings
from signpost.celery import task

from .models import PrintRun


@task(
    "printing.print_run_render",
    formerly=("printing.render_print_run",),
    bind=True,
    acks_late=True,
)
def print_run_render(self, print_run_id: int) -> int:
    """Render one print run's PDF; a second delivery of the same run changes nothing.

    A run of one part is rendered here. A larger one is laid out here once and its parts
    are stamped by whichever workers take them from this task's queue, then joined.
    """
    from . import services  # tasks import their services when they run (services import tasks)

    print_run = PrintRun.objects.get(pk=print_run_id)
    parts = services.print_run_parts(print_run)
    if len(parts) <= 1 or settings.CELERY_TASK_ALWAYS_EAGER:
        return services.print_run_render(print_run_id=print_run_id).page_count
    attempt = services.print_run_render_start(print_run_id=print_run_id)
    if attempt is None:
        return print_run.page_count
    queue = (self.request.delivery_info or {}).get("routing_key")
    options = {"queue": queue} if queue else {}
    chord(
        print_run_render_part.si(print_run_id, attempt, index, start, stop).set(**options)
        for index, (start, stop) in enumerate(parts)
    )(print_run_render_join.si(print_run_id, attempt, len(parts)).set(**options))
    return 0


@task(
    "printing.print_run_render_part",
    formerly=("printing.render_print_run_part",),
    acks_late=True,
)
def print_run_render_part(
    print_run_id: int, attempt: str, index: int, start: int, stop: int
) -> int:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.print_run_render_part(
        print_run_id=print_run_id, attempt=attempt, index=index, start=start, stop=stop
    )


@task(
    "printing.print_run_render_join",
    formerly=("printing.render_print_run_join",),
    acks_late=True,
)
def print_run_render_join(print_run_id: int, attempt: str, parts: int) -> int:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.print_run_render_join(
        print_run_id=print_run_id, attempt=attempt, parts=parts
    ).page_count


@task("printing.signs_chase_overdue", formerly=("printing.chase_overdue_signs",))
def signs_chase_overdue() -> int:
    """Hourly; each overdue sign is chased at most once a day."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.signs_chase_overdue()
