"""Background rendering of print runs and the daily chase of signs left up."""

from celery import shared_task

from . import services


@shared_task(name="printing.render_print_run", acks_late=True)
def print_run_render_task(print_run_id: int) -> int:
    """Render one print run's PDF; a second delivery of the same run changes nothing."""
    return services.print_run_render(print_run_id=print_run_id).page_count


@shared_task(name="printing.chase_overdue_signs")
def chase_overdue_signs_task() -> int:
    """Hourly; each overdue sign is chased at most once a day."""
    return services.signs_chase_overdue()
