"""Project-wide tasks."""

import socket

from celery.signals import beat_init
from django.utils import timezone

from . import health
from .celery import task


@task("signpost.heartbeat")
def heartbeat(token: str) -> dict:
    """Answers from whichever worker takes it, so operators (and the test that sends it
    through Redis) can tell that the broker delivers and a worker runs."""
    return {"token": token, "worker": socket.gethostname(), "at": timezone.now().isoformat()}


@task("signpost.beat_heartbeat_stamp")
def beat_heartbeat_stamp() -> None:
    """Queued by beat on its schedule; its stamp going stale is how /readyz and the admin
    know that beat (or every worker) has stopped (``signpost.health``)."""
    health.beat_heartbeat_stamp()


@beat_init.connect
def beat_started(sender, **kwargs):
    """Beat stamps its heartbeat as it starts, so a restarted beat counts at once."""
    health.beat_heartbeat_stamp()
