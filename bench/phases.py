"""Where a campaign send spends its time, measured inside the Celery workers.

``bench/email_settings.py`` connects these handlers when ``SIGNPOST_BENCH_PHASES`` is
set. Before the first task runs, the named pipeline functions are wrapped with timers
(nothing in the pipeline knows about them); after every task the seconds spent in each
phase are added to one Redis hash, so the benchmark can add up every worker's time and
divide it by the emails sent. A name the code does not have is skipped, so the same
list measures the pipeline before and after a change of its internals.

Phases that are not a function of their own are what is left over: "load recipients"
is the chunk service's time outside every other phase, and "task overhead" is Celery's
time around and between tasks (fetching the message, acknowledging it, storing the
result), measured from the ``task_prerun`` and ``task_postrun`` signals.

When a chunk builds and sends its ESP calls in a thread while the task's own thread
claims and records the batches around them, the phases of the task's thread add up to
the wall time: there the ESP call is the time that thread waits for the call (what the
overlap did not hide), and the call's own time in its thread is given beside the sum.
"""

import functools
import importlib
import os
import threading
import time

# (phase, module, attribute): attribute may be "Class.method".
TIMED = [
    ("chunk service", "newsletters.sending.services", "campaign_send_chunk"),
    ("ledger", "newsletters.sending.services", "campaign_write_deliveries"),
    ("ledger", "newsletters.sending.services", "_write_ledger_piece"),
    ("queue chunk tasks", "newsletters.sending.services", "campaign_enqueue_chunks"),
    ("claim", "newsletters.sending.claims", "claim_chunk"),
    ("merge values", "newsletters.sending.merge", "merge_values"),
    ("ESP call", "newsletters.campaign_backends.anymail", "AnymailBatchBackend.send_batch"),
    (
        "ESP call in its thread",
        "newsletters.campaign_backends.anymail",
        "AnymailBatchBackend.send_batch_when_open",
    ),
    ("ESP wait", "newsletters.sending.batches", "_esp_result"),
    ("wait for the next batch", "newsletters.sending.batches", "next_batch"),
    ("record result", "newsletters.sending.batches", "_record_sent"),
    ("finish check", "newsletters.sending.finishing", "campaign_finish_if_done"),
    ("throttle", "newsletters.sending.batches", "esp_throttle_acquire"),
]
# Phases nested inside "chunk service"; what is left of it is "load recipients".
INSIDE_CHUNK = (
    "claim",
    "merge values",
    "ESP call",
    "ESP wait",
    "wait for the next batch",
    "record result",
    "finish check",
    "throttle",
)
REDIS_KEY = "signpost-bench:phases"

_seconds: dict[str, float] = {}
_lock = threading.Lock()
_local = threading.local()  # each thread's nesting depth per phase
_state = {"installed": False, "task_started": None, "last_task_ended": None, "redis": None}


def _timed(phase: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        # Only the outermost call counts (campaign_send_chunk may call itself via finish).
        depth = _local.__dict__.setdefault("depth", {})
        depth[phase] = depth.get(phase, 0) + 1
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            depth[phase] -= 1
            if not depth[phase]:
                # Time in another thread overlaps the task's own: it is kept apart.
                key = (
                    phase
                    if threading.current_thread() is threading.main_thread()
                    else (f"{phase} (ahead, in a thread)")
                )
                with _lock:
                    _seconds[key] = _seconds.get(key, 0.0) + time.perf_counter() - started

    return wrapper


def install() -> None:
    if _state["installed"]:
        return
    _state["installed"] = True
    for phase, module_name, attribute in TIMED:
        module = importlib.import_module(module_name)
        owner, _, name = attribute.rpartition(".")
        target = getattr(module, owner) if owner else module
        if hasattr(target, name):
            setattr(target, name, _timed(phase, getattr(target, name)))
    import redis

    _state["redis"] = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])


def on_task_prerun(**_):
    install()
    now = time.perf_counter()
    if _state["last_task_ended"] is not None:
        _seconds["between tasks"] = (
            _seconds.get("between tasks", 0.0) + now - _state["last_task_ended"]
        )
    _state["task_started"] = now


def on_task_postrun(task=None, retval=None, **_):
    now = time.perf_counter()
    if _state["task_started"] is not None:
        _seconds["task"] = _seconds.get("task", 0.0) + now - _state["task_started"]
    pipe = _state["redis"].pipeline(transaction=False)
    for phase, seconds in _seconds.items():
        pipe.hincrbyfloat(REDIS_KEY, phase, seconds)
    pipe.hincrby(REDIS_KEY, "tasks", 1)
    if task is not None and task.name == "newsletters.campaign_send_chunk":
        pipe.hincrby(REDIS_KEY, "chunk tasks", 1)
        pipe.hincrby(REDIS_KEY, "emails", int(retval or 0) if isinstance(retval, int) else 0)
    pipe.execute()
    _seconds.clear()
    _state["last_task_ended"] = time.perf_counter()


def connect() -> None:
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(on_task_prerun, weak=False)
    task_postrun.connect(on_task_postrun, weak=False)


def collect(client) -> dict[str, float]:
    raw = client.hgetall(REDIS_KEY)
    return {key.decode(): float(value) for key, value in raw.items()}


def breakdown(totals: dict[str, float], emails: int) -> list[tuple[str, float]]:
    """Microseconds of worker time per email, phase by phase."""
    nested = sum(totals.get(p, 0.0) for p in INSIDE_CHUNK)
    load = totals.get("chunk service", 0.0) - nested
    task_outside_services = (
        totals.get("task", 0.0)
        - totals.get("chunk service", 0.0)
        - totals.get("ledger", 0.0)
        - totals.get("queue chunk tasks", 0.0)
    )
    rows = [
        ("ledger (segment and Delivery rows, in a worker)", totals.get("ledger", 0.0)),
        ("queue chunk tasks (in a worker)", totals.get("queue chunk tasks", 0.0)),
        ("claim", totals.get("claim", 0.0)),
        ("load recipients, lease, suppression check", load),
        ("merge values", totals.get("merge values", 0.0)),
        ("wait for the next batch (claimed ahead)", totals.get("wait for the next batch", 0.0)),
        ("throttle", totals.get("throttle", 0.0)),
        (
            "ESP call (anymail → mock)"
            if "ESP wait" not in totals
            else "ESP call: waiting for it, not hidden by the overlap",
            totals.get("ESP call", 0.0) + totals.get("ESP wait", 0.0),
        ),
        ("record result", totals.get("record result", 0.0)),
        ("finish check", totals.get("finish check", 0.0)),
        (
            "task overhead (Celery around and between tasks)",
            task_outside_services + totals.get("between tasks", 0.0),
        ),
    ]
    return [(name, 1e6 * seconds / emails) for name, seconds in rows]


def overlapped(totals: dict[str, float], emails: int) -> list[tuple[str, float]]:
    """Microseconds per email of what ran in other threads, overlapping the task's own
    (not in the sum): the ESP calls, and the batches claimed ahead."""
    rows = [
        ("ESP call in its thread: build, gate, send", "ESP call in its thread (ahead, in a thread)")
    ]
    rows += [
        (f"{phase}, ahead in a thread", f"{phase} (ahead, in a thread)")
        for phase in ("ledger", "claim", "merge values", "finish check")
    ]
    return [(name, 1e6 * totals[key] / emails) for name, key in rows if key in totals]
