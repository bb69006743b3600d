"""Is Signpost healthy? One plain function per service it needs, each answering quickly with
a :class:`CheckResult`: the database, the shared cache, the task broker, the migrations,
Celery beat (its heartbeat) and the workers (a ping).

``/readyz`` runs them all (``signpost.views.readyz``), the admin home warns superusers
when beat or the workers are silent (``signpost.panels``), and the admin's banner names
the cache or broker when down (``signpost.service_status``); anything else that needs to say
which service is down calls these functions. A result names the service and says what is
wrong in words an operator can act on; it never carries personal data, connection strings
or passwords.
"""

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from kombu import Connection
from kombu.pidbox import Mailbox

BEAT_HEARTBEAT_KEY = "signpost:health:beat-heartbeat"
TIMEOUT_SECONDS = 2.0


@dataclass(frozen=True)
class CheckResult:
    """One service's state: its name, whether it is fine, a short reason, and how long the
    check took."""

    name: str
    ok: bool
    detail: str = ""
    milliseconds: int = 0

    def as_dict(self) -> dict:
        return {"ok": self.ok, "detail": self.detail, "ms": self.milliseconds}


def _timed(name: str, check: Callable[[], tuple[bool, str]]) -> CheckResult:
    started = time.monotonic()
    try:
        ok, detail = check()
    except Exception as error:  # noqa: BLE001 (any failure is the answer, not a crash)
        ok, detail = False, f"{type(error).__name__}: unreachable or failing"
    return CheckResult(name, ok, detail, int((time.monotonic() - started) * 1000))


def in_process_tasks() -> bool:
    """Tasks run where they are queued (tests; no broker, worker or beat to check), as
    the Celery app queuing them sees it: the same app whose broker is checked."""
    return bool(current_app.conf.task_always_eager)


def check_database() -> CheckResult:
    def probe():
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = %s", [int(TIMEOUT_SECONDS * 1000)])
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "reachable"

    return _timed("database", probe)


def check_cache() -> CheckResult:
    def probe():
        key = "signpost:health:cache-probe"
        token = str(time.monotonic_ns())
        cache.set(key, token, timeout=30)
        answered = cache.get(key) == token
        return answered, "reachable" if answered else "wrote a value and read another"

    return _timed("cache", probe)


def _broker_connection() -> Connection:
    """The connection tasks are sent on: the app's write URL (``CELERY_BROKER_WRITE_URL``
    when set, else the broker URL) with its transport options, a fresh one each time
    (not the producer pool, made for whatever broker it first saw)."""
    return current_app.connection_for_write(connect_timeout=TIMEOUT_SECONDS)


def check_broker() -> CheckResult:
    def probe():
        if in_process_tasks():
            return True, "tasks run in-process"
        with _broker_connection() as connection:
            # One quick retry: a health check answers within seconds, never waits it out.
            connection.ensure_connection(
                max_retries=1, interval_start=0, interval_step=0, timeout=TIMEOUT_SECONDS
            )
        return True, "reachable"

    return _timed("broker", probe)


_migrations_applied = False


def check_migrations() -> CheckResult:
    """Every migration this code has is applied (the release step has run). Once true it
    stays true for this process: new migrations come only with new code."""

    def probe():
        global _migrations_applied
        if _migrations_applied:
            return True, "applied"
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return False, f"{len(plan)} migration(s) not applied: run the release step"
        _migrations_applied = True
        return True, "applied"

    return _timed("migrations", probe)


def beat_heartbeat_stamp() -> None:
    """Record that beat's heartbeat arrived (the task beat queues on its schedule)."""
    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=None)


def beat_heartbeat_age() -> float | None:
    """Seconds since beat's last heartbeat ran, or None if it never has."""
    stamped = cache.get(BEAT_HEARTBEAT_KEY)
    return None if stamped is None else max(0.0, time.time() - float(stamped))


def check_beat() -> CheckResult:
    def probe():
        if in_process_tasks():
            return True, "tasks run in-process"
        age = beat_heartbeat_age()
        if age is None:
            return False, "no heartbeat yet: is celery beat running?"
        if age > settings.SIGNPOST_BEAT_HEARTBEAT_MAX_AGE:
            return False, f"last heartbeat {int(age)} s ago: is celery beat running?"
        return True, f"last heartbeat {int(age)} s ago"

    return _timed("beat", probe)


def check_workers(timeout: float = 1.0) -> CheckResult:
    def probe():
        if in_process_tasks():
            return True, "tasks run in-process"
        # Celery's own control mailbox, on a connection of this check's own. The first
        # answer is enough: no waiting out the timeout for the others.
        conf = current_app.conf
        mailbox = Mailbox(
            conf.control_exchange,
            type="fanout",
            accept=conf.accept_content,
            serializer=conf.task_serializer,
        )
        with _broker_connection() as connection:
            replies = mailbox(connection)._broadcast(
                "ping", {}, reply=True, timeout=timeout, limit=1
            )
        if not replies:
            return False, "no worker answered"
        return True, "a worker answered"

    return _timed("workers", probe)


READINESS_CHECKS = (
    check_database,
    check_cache,
    check_broker,
    check_migrations,
    check_beat,
    check_workers,
)


def readiness() -> list[CheckResult]:
    """Every check, in order. Ready when all are ok."""
    return [check() for check in READINESS_CHECKS]


def background_silent() -> list[CheckResult]:
    """Beat and the workers, where either is silent (for the admin's warning); the answer
    is kept for a short while, so the dashboard does not ping the workers on every load."""
    key = "signpost:health:background"
    try:
        cached = cache.get(key)
    except Exception:  # noqa: BLE001 (the cache down: check afresh, say so below)
        cached = None
    if cached is None:
        cached = [r for r in (check_beat(), check_workers(timeout=0.5)) if not r.ok]
        with contextlib.suppress(Exception):  # the cache down: nothing to keep it in
            cache.set(key, cached, timeout=30)
    return cached
