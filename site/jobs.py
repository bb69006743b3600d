"""The job ledger: background work written down in the database before it is handed to
the broker, so that none of it depends on the broker or a worker staying up.

- ``job_queue`` records a job in the caller's transaction and, once that commits, sends
  its message with the broker's short connect timeout. When the broker is down the job
  simply stays queued (the ledger is the outbox): the request that queued it answers at
  once, and beat hands it on when the broker is back.
- A worker claims a job before running it (``job_claim``, one conditional UPDATE), so a
  message delivered twice (Redis's visibility timeout, a resend by beat) runs it once at a
  time, and not at all once it is done; the task beats its heart while it works
  (``job_heartbeat``) and the job is marked done or failed when it ends.
- ``jobs_resume_stalled`` (beat, every minute) sends again every job queued or running
  without a sign of life for its ``stall_seconds``: a worker killed mid-task (SIGKILL,
  OOM, a lost machine), a message lost with a filesystem broker or never sent. After
  ``MAX_ATTEMPTS`` a job is failed, and staff retry it from the admin (``job_retry``).

Jobs must be idempotent (safe to run again from the top after dying at any point): each
service a job runs says how it is.
"""

import contextvars
import datetime
import hashlib
import json
import logging

from celery import current_app, current_task
from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import Job

logger = logging.getLogger(__name__)

# The message header that carries the job's id to the worker.
JOB_HEADER = "signpost_job"
MAX_ATTEMPTS = 5
# A job's heartbeat is written at most this often (seconds).
HEARTBEAT_EVERY = 5
# A job the broker refused is sent again by the next beat after this long (seconds).
UNSENT_GRACE_SECONDS = 5
# Finished jobs are kept this long for the admin's list, then deleted with their arguments.
KEEP_FINISHED_DAYS = 14
# Keeps job keys apart from every other HMAC made with SECRET_KEY.
KEY_SALT = "signpost.jobs.job_key"

_current_job: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "signpost_job", default=None
)
_last_beat: contextvars.ContextVar[float] = contextvars.ContextVar("signpost_beat", default=0.0)


def default_stall_seconds() -> int:
    """How long a job may go without a sign of life before beat resends it."""
    return getattr(settings, "SIGNPOST_JOB_STALL_SECONDS", 180)


def _arguments(args, kwargs) -> str:
    return json.dumps([list(args), kwargs or {}], sort_keys=True, default=str)


def job_key(task_name: str, args=(), kwargs=None, *, secret: str | None = None) -> str:
    """The default key: the task and its arguments, so the same work queued twice before
    it runs is one job. Keyed with SECRET_KEY (an HMAC, not a plain hash): the arguments
    include residents' email addresses, and a plain hash of a guessable address is as
    good as the address to anyone who reads the ledger."""
    digest = salted_hmac(KEY_SALT, _arguments(args, kwargs), secret=secret, algorithm="sha256")
    return f"{task_name}:{digest.hexdigest()[:32]}"


def job_keys_earlier(task_name: str, args=(), kwargs=None) -> list[str]:
    """Keys the same work may carry in jobs queued before now: under SECRET_KEY_FALLBACKS
    (a key being rotated), and the plain SHA-256 of releases before keys were secret (a job
    still unfinished from then). Looked up with the key, so no work runs twice across an
    upgrade or a rotation."""
    keys = [job_key(task_name, args, kwargs, secret=old) for old in settings.SECRET_KEY_FALLBACKS]
    plain = hashlib.sha256(_arguments(args, kwargs).encode()).hexdigest()[:32]
    return [*keys, f"{task_name}:{plain}"]


def _unfinished(key: str, earlier: list[str]):
    return Job.objects.filter(
        key__in=[key, *earlier], state__in=[Job.State.QUEUED, Job.State.RUNNING]
    )


def job_queue(
    task,
    *args,
    key: str | None = None,
    label: str = "",
    stall_seconds: int | None = None,
    send_now: bool = False,
    **kwargs,
) -> Job:
    """Record ``task(*args, **kwargs)`` as a job and send it once the current transaction
    commits (``send_now``: at once, for a caller whose work is already committed). Queuing
    the same key while a job with it is unfinished returns that job (sent again if it has
    stalled)."""
    earlier = [] if key else job_keys_earlier(task.name, args, kwargs)
    key = key or job_key(task.name, args, kwargs)
    existing = _unfinished(key, earlier)
    job = existing.first()
    if job is not None:
        if job_is_stalled(job):
            transaction.on_commit(lambda: job_send(job_id=job.pk))
        return job
    if stall_seconds is None:
        stall_seconds = default_stall_seconds()
    try:
        with transaction.atomic():
            job = Job.objects.create(
                queue=_current_queue(),
                task=task.name,
                key=key,
                label=label[:200],
                args=list(args),
                kwargs=kwargs,
                stall_seconds=stall_seconds,
            )
    except IntegrityError:
        # Queued a moment ago by another process.
        return existing.first() or Job.objects.filter(key=key).latest("queued_at")
    if send_now:
        job_send(job_id=job.pk)
    else:
        transaction.on_commit(lambda: job_send(job_id=job.pk))
    return job


def _current_queue() -> str:
    """A job queued by a task goes to the queue that task came from (a worker serving one
    queue finishes what it started there); queued elsewhere, the task's own route."""
    request = getattr(current_task, "request", None)
    if request is None or getattr(request, "is_eager", False):
        return ""
    return ((getattr(request, "delivery_info", None) or {}).get("routing_key") or "")[:100]


def job_send(*, job_id: int) -> bool:
    """Hand a job's message to the broker. Returns whether the broker took it; when it did
    not (the broker is down), the job waits in the ledger for beat to send it again."""
    job = Job.objects.filter(pk=job_id, state__in=[Job.State.QUEUED, Job.State.RUNNING]).first()
    if job is None:
        return False
    app = current_app
    task = app.tasks[job.task]
    if app.conf.task_always_eager:
        Job.objects.filter(pk=job.pk).update(sent_at=timezone.now())
        task.apply_async(job.args, job.kwargs, headers={JOB_HEADER: job.pk})
        return True
    options = {"queue": job.queue} if job.queue else {}
    try:
        task.apply_async(
            job.args,
            job.kwargs,
            headers={JOB_HEADER: job.pk},
            retry=False,
            ignore_result=True,
            **options,
        )
    except Exception as error:  # kombu's connection errors vary with the transport
        logger.warning(
            "Broker unavailable; job %s (%s) waits in the ledger: %s", job.pk, job, error
        )
        return False
    Job.objects.filter(pk=job.pk).update(sent_at=timezone.now())
    return True


def request_job_id(request) -> int | None:
    """The job a task's message carries, from a worker's request or an eager call's."""
    job_id = getattr(request, JOB_HEADER, None)
    if job_id is None:
        headers = getattr(request, "headers", None) or {}
        job_id = headers.get(JOB_HEADER)
    return int(job_id) if job_id is not None else None


def job_claim(*, job_id: int, now=None) -> bool:
    """Take a job to run it: queued, or running without a heartbeat for its stall time
    (its worker died). Whether this process may run it."""
    now = now or timezone.now()
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return False
    if job.state == Job.State.QUEUED:
        claimable = Q(state=Job.State.QUEUED)
    elif job.state == Job.State.RUNNING and job_is_stalled(job, now):
        # Taken over from a dead worker, unless another delivery took it a moment ago.
        claimable = Q(state=Job.State.RUNNING, heartbeat_at=job.heartbeat_at)
    else:
        return False
    claimed = Job.objects.filter(claimable, pk=job_id).update(
        state=Job.State.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1
    )
    return bool(claimed)


def job_finish(*, job_id: int, error: BaseException | None = None) -> None:
    """Done (its arguments, which may hold a resident's sign-up, are cleared) or failed
    (kept for staff to retry, until ``KEEP_FINISHED_DAYS``)."""
    if error is None:
        Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(
            state=Job.State.DONE, finished_at=timezone.now(), error="", args=[], kwargs={}
        )
        return
    Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(
        state=Job.State.FAILED,
        finished_at=timezone.now(),
        error=(str(error) or error.__class__.__name__)[:2000],
    )


def job_heartbeat(*, force: bool = False) -> None:
    """A sign of life from the job this process is running (no-op outside a job)."""
    job_id = _current_job.get()
    if job_id is None:
        return
    now = timezone.now()
    every = min(HEARTBEAT_EVERY, default_stall_seconds() / 3)
    if not force and now.timestamp() - _last_beat.get() < every:
        return
    _last_beat.set(now.timestamp())
    Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(heartbeat_at=now)


def job_adopt(*, task_name: str, args, kwargs) -> int | None:
    """A task that arrived without a job (beat's schedule, a message queued before the
    ledger, a retry) is written into the ledger as it starts, so that if its worker dies
    beat sends it again. Returns the job to run it as, or None when the same work is
    running elsewhere."""
    key = job_key(task_name, args, kwargs)
    existing = _unfinished(key, job_keys_earlier(task_name, args, kwargs)).first()
    if existing is not None:
        return existing.pk if job_claim(job_id=existing.pk) else None
    try:
        with transaction.atomic():
            job = Job.objects.create(
                task=task_name,
                key=key,
                label=task_name,
                args=list(args),
                kwargs=kwargs,
                stall_seconds=default_stall_seconds(),
                state=Job.State.RUNNING,
                queue=_current_queue(),
                sent_at=timezone.now(),
                heartbeat_at=timezone.now(),
                attempts=1,
            )
    except IntegrityError:
        return None
    return job.pk


def run_as_job(job_id: int | None, function, *args, adopt: str = "", **kwargs):
    """Run a task's body under the ledger: claimed first (skipped when another delivery
    runs it or it is done), finished after. ``adopt`` names the task when a message
    without a job is to be written into the ledger."""
    if job_id is None and adopt:
        job_args = list(args)
        if job_args and hasattr(job_args[0], "request"):  # a bound task's own self
            job_args = job_args[1:]
        job_id = job_adopt(task_name=adopt, args=job_args, kwargs=kwargs)
        if job_id is None:
            logger.info("%s is running elsewhere; this delivery does nothing.", adopt)
            return None
    elif job_id is None:
        return function(*args, **kwargs)
    elif not job_claim(job_id=job_id):
        logger.info("Job %s is done or running elsewhere; this delivery does nothing.", job_id)
        return None
    token = _current_job.set(job_id)
    try:
        result = function(*args, **kwargs)
    except Exception as error:
        if error.__class__.__name__ == "Retry":
            # celery.exceptions.Retry: a new message carries the work on (and is written
            # into the ledger when it starts).
            job_finish(job_id=job_id)
        elif is_transient(error):
            # The database or broker went away mid-task: the job stays running with its
            # last heartbeat, and beat sends it again after its stall time.
            logger.warning("Job %s stopped by an unavailable service: %s", job_id, error)
        else:
            job_finish(job_id=job_id, error=error)
        raise
    finally:
        _current_job.reset(token)
    job_finish(job_id=job_id)
    return result


def is_transient(error: BaseException) -> bool:
    """A service that went away (database, broker, cache), not a fault in the work."""
    if isinstance(error, OperationalError | InterfaceError | ConnectionError | TimeoutError):
        return True
    names = {cls.__name__ for cls in type(error).__mro__}
    return bool(names & {"ConnectionError", "OperationalError", "TimeoutError"})


def job_is_stalled(job: Job, now=None) -> bool:
    now = now or timezone.now()
    limit = now - datetime.timedelta(seconds=job.stall_seconds)
    if job.state == Job.State.RUNNING:
        return (job.heartbeat_at or job.queued_at) < limit
    if job.state == Job.State.QUEUED:
        return (job.sent_at or job.queued_at) < limit
    return False


def jobs_stalled(now=None) -> list[Job]:
    """Jobs queued or running with no sign of life for their stall time, and jobs the
    broker refused (queued a few seconds ago and never sent)."""
    now = now or timezone.now()
    unfinished = Job.objects.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING])
    unsent_before = now - datetime.timedelta(seconds=UNSENT_GRACE_SECONDS)
    return [
        job
        for job in unfinished.order_by("queued_at")[:2000]
        if job_is_stalled(job, now)
        or (job.state == Job.State.QUEUED and job.sent_at is None and job.queued_at < unsent_before)
    ]


def jobs_resume_stalled(*, now=None) -> int:
    """Send every stalled job again, failing those that have had ``MAX_ATTEMPTS``; also
    hand on jobs the broker refused (queued, never sent) and forget old finished jobs.
    Returns how many were sent."""
    now = now or timezone.now()
    sent = 0
    for job in jobs_stalled(now):
        if job.attempts >= MAX_ATTEMPTS:
            Job.objects.filter(pk=job.pk, state=job.state).update(
                state=Job.State.FAILED,
                finished_at=now,
                error=f"Gave up after {MAX_ATTEMPTS} attempts without finishing.",
            )
            continue
        sent += job_send(job_id=job.pk)
    Job.objects.filter(
        state__in=[Job.State.DONE, Job.State.FAILED],
        finished_at__lt=now - datetime.timedelta(days=KEEP_FINISHED_DAYS),
    ).delete()
    return sent


def job_retry(*, job: Job) -> bool:
    """Staff's retry of a failed or stuck job: queued again with its attempts reset.
    A job running with a live heartbeat is left alone. Returns whether it was queued."""
    if job.state == Job.State.DONE:
        return False
    if job.state in (Job.State.QUEUED, Job.State.RUNNING) and not job_is_stalled(job):
        return False
    updated = Job.objects.filter(pk=job.pk, state=job.state).update(
        state=Job.State.QUEUED, attempts=0, error="", finished_at=None, heartbeat_at=None
    )
    if updated:
        transaction.on_commit(lambda: job_send(job_id=job.pk))
    return bool(updated)
