"""Embedded task broker for `make run`: kombu's filesystem transport beside its SQLAlchemy
transport on a SQLite file, each with a real Celery worker on the development settings.

    .venv/bin/python bench/embedded_broker.py --tasks 300

For each transport it prints: the time for a worker to drain a queue of --tasks tasks
(tasks a second), the median time from queueing one task to the worker finishing it
(what a progress bar or an embargo waits on), and the worker's CPU use while idle (what a
laptop pays for the worker just polling). The SQLAlchemy transport needs SQLAlchemy
installed (`pip install sqlalchemy`); without it only the filesystem is measured.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DONE = re.compile(r"Task signpost\.heartbeat\[[^\]]+\] succeeded")


class Worker:
    """A Celery worker on the development settings, counting the tasks it finishes."""

    def __init__(self, env):
        self.finished = 0
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "signpost", "worker", "--pool=solo",
             "--loglevel=info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            if " ready." in line or DONE.search(line):
                self.ready.set()
            if DONE.search(line):
                self.finished += 1

    def wait_for(self, count, timeout=300):
        deadline = time.monotonic() + timeout
        while self.finished < count:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise TimeoutError(f"{self.finished} of {count} tasks finished")
            time.sleep(0.005)

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def measure(name, broker_url, tasks, idle_seconds):
    with tempfile.TemporaryDirectory() as var:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "signpost.settings.dev",
            "SIGNPOST_VAR_DIR": var,
            "DATABASE_URL": f"sqlite:///{var}/db.sqlite3",
        }
        env.pop("CELERY_BROKER_URL", None)
        if broker_url:
            env["CELERY_BROKER_URL"] = broker_url.format(var=var)
            env["CELERY_RESULT_BACKEND"] = "disabled://"
        publisher = subprocess.Popen(
            [sys.executable, "-c", PUBLISHER],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        publisher.stdin.write(f"{tasks}\n")
        publisher.stdin.flush()
        publisher.stdout.readline()
        worker = Worker(env)
        worker.ready.wait(timeout=120)
        started = time.monotonic()
        worker.wait_for(tasks)
        drain = time.monotonic() - started
        latencies = []
        for n in range(20):
            sent = time.monotonic()
            publisher.stdin.write("1\n")
            publisher.stdin.flush()
            publisher.stdout.readline()
            worker.wait_for(tasks + n + 1)
            latencies.append(time.monotonic() - sent)
        cpu_before = worker.cpu_seconds()
        time.sleep(idle_seconds)
        idle_cpu = (worker.cpu_seconds() - cpu_before) / idle_seconds
        publisher.stdin.close()
        publisher.wait()
        worker.stop()
    print(
        f"{name:<24} drain {tasks} tasks {drain:6.2f} s ({tasks / drain:6.1f}/s)  "
        f"one task queued->done median {statistics.median(latencies) * 1000:5.0f} ms  "
        f"idle worker CPU {idle_cpu * 100:4.1f} %"
    )
    return drain, statistics.median(latencies), idle_cpu


PUBLISHER = """
import sys, django
django.setup()
from signpost.tasks import heartbeat
for line in sys.stdin:
    for _ in range(int(line)):
        heartbeat.apply_async(args=["bench"], ignore_result=True)
    print("queued", flush=True)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=300)
    parser.add_argument("--idle-seconds", type=float, default=20)
    args = parser.parse_args()
    results = {"filesystem": measure("filesystem://", None, args.tasks, args.idle_seconds)}
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        print("SQLAlchemy is not installed: the SQLAlchemy transport was not measured.")
        return
    results["sqla"] = measure(
        "sqla+sqlite (SQLAlchemy)", "sqla+sqlite:///{var}/broker.sqlite3", args.tasks,
        args.idle_seconds,
    )  # fmt: skip
    fs, sqla = results["filesystem"], results["sqla"]
    print(
        f"filesystem against SQLAlchemy: drain {sqla[0] / fs[0]:.2f}x as fast, "
        f"latency {sqla[1] / fs[1]:.2f}x as short"
    )


if __name__ == "__main__":
    main()
