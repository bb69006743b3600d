"""Project-wide tasks."""

import socket

from django.utils import timezone

from .celery import task


@task("signpost.heartbeat")
def heartbeat(token: str) -> dict:
    """Answers from whichever worker takes it, so operators (and the test that sends it
    through Redis) can tell that the broker delivers and a worker runs."""
    return {"token": token, "worker": socket.gethostname(), "at": timezone.now().isoformat()}
