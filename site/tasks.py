"""Project-wide tasks."""

import socket

from celery.signals import beat_init
from django.utils import timezone

from . import health
from .celery import task


@task("signpost.heartbeat", ledger=False)
def heartbeat(token: str) -> dict:
    """Answers from whichever worker takes it, so operators (and the test that sends it
    through Redis) can tell that the broker delivers and a worker runs."""
    return {"token": token, "worker": socket.gethostname(), "at": timezone.now().isoformat()}


@task("signpost.beat_heartbeat_stamp", ledger=False)
def beat_heartbeat_stamp() -> None:
    """Queued by beat on its schedule; its stamp going stale is how /readyz and the admin
    know that beat (or every worker) has stopped (``signpost.health``)."""
    health.beat_heartbeat_stamp()


@task("signpost.jobs_resume_stalled", ledger=False)
def jobs_resume_stalled() -> int:
    """Every minute (beat): send again the jobs whose worker died or whose message was
    lost or refused by a broker that was down."""
    from . import jobs  # tasks import their services when they run

    return jobs.jobs_resume_stalled()


@task("signpost.prepared_export_build", acks_late=True)
def prepared_export_build(export_id: int) -> int | None:
    """Write a large export's file as the user who asked for it (``signpost.prepared_exports``);
    a second delivery of a finished export changes nothing."""
    from . import prepared_exports  # tasks import their services when they run

    export = prepared_exports.prepared_export_build(export_id=export_id)
    return export.row_count if export else None


@task("signpost.prepared_exports_delete_expired")
def prepared_exports_delete_expired() -> int:
    """Hourly (beat): expired exports' files and rows deleted."""
    from . import prepared_exports  # tasks import their services when they run

    return prepared_exports.prepared_exports_delete_expired()


@beat_init.connect
def beat_started(sender, **kwargs):
    """Beat stamps its heartbeat as it starts, so a restarted beat counts at once."""
    health.beat_heartbeat_stamp()
