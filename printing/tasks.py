"""Background rendering of print runs and the daily chase of signs left up. Each task
takes ids, runs the service it is named after, and is registered as
``printing.<that name>``."""

from signpost.celery import task


@task(
    "printing.print_run_render",
    formerly=("printing.render_print_run",),
    acks_late=True,
)
def print_run_render(print_run_id: int) -> int:
    """Render one print run's PDF, or lay it out and queue a job per part; a second
    delivery of the same run changes nothing it has done already."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.print_run_render(print_run_id=print_run_id).page_count


@task(
    "printing.print_run_render_part",
    formerly=("printing.render_print_run_part",),
    acks_late=True,
)
def print_run_render_part(print_run_id: int, index: int, start: int, stop: int) -> int:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.print_run_render_part(
        print_run_id=print_run_id, index=index, start=start, stop=stop
    )


@task(
    "printing.print_run_render_join",
    formerly=("printing.render_print_run_join",),
    acks_late=True,
)
def print_run_render_join(print_run_id: int, parts: int) -> int:
    from . import services  # tasks import their services when they run (services import tasks)

    return services.print_run_render_join(print_run_id=print_run_id, parts=parts).page_count


@task("printing.signs_chase_overdue", formerly=("printing.chase_overdue_signs",))
def signs_chase_overdue() -> int:
    """Hourly; each overdue sign is chased at most once a day."""
    from . import services  # tasks import their services when they run (services import tasks)

    return services.signs_chase_overdue()
