"""Project-wide tasks."""

import socket

from django.utils import timezone

from .celery import task


@task("signpost.heartbeat", ledger=False)
def heartbeat(token: str) -> dict:
    """Answers from whichever worker takes it, so operators (and the test that sends it
    through Redis) can tell that the broker delivers and a worker runs."""
    return {"token": token, "worker": socket.gethostname(), "at": timezone.now().isoformat()}


@task("signpost.jobs_resume_stalled", ledger=False)
def jobs_resume_stalled() -> int:
    """Every minute (beat): send again the jobs whose worker died or whose message was
    lost or refused by a broker that was down."""
    from . import jobs  # tasks import their services when they run

    return jobs.jobs_resume_stalled()
