"""``manage.py rundev``: the web server, a Celery worker and Celery beat, started and
stopped together, so development behaves like production (tasks in the background,
schedules on time) with one command and no other server.

Each process runs in its own process group, so Ctrl-C reaches this supervisor only and
it stops all three in order; it also stops any process a child left behind (the
autoreloader's server, the worker's pool). If one of them exits, the others are stopped
too. The process ids are written to ``var/rundev.json`` while they run.
"""

import contextlib
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

GRACE_SECONDS = 15


def _die_with_parent() -> None:
    """Linux: a child is sent SIGTERM if the supervisor is killed outright."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Command(BaseCommand):
    help = "Run the web server, a Celery worker and Celery beat together (development)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument(
            "--noreload", action="store_true", help="Do not restart the web server on changes."
        )

    def handle(self, *args, host, port, noreload, **options):
        if not settings.DEBUG:
            raise CommandError(
                "rundev is for development (DEBUG on); production runs each process on its own."
            )
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                raise CommandError(
                    f"Something is already listening on {host}:{port}. "
                    f"Stop it, or choose another port: make run PORT={port + 80}"
                )
        python = sys.executable
        commands = {
            "web": [python, "manage.py", "runserver", f"{host}:{port}"]
            + (["--noreload"] if noreload else []),
            "worker": [
                python, "-m", "celery", "-A", "signpost", "worker",
                "--loglevel=info", "--without-gossip", "--without-mingle",
                "--hostname=signpost-dev@%h",
            ],
            "beat": [python, "-m", "celery", "-A", "signpost", "beat", "--loglevel=info"],
        }  # fmt: skip
        # Django's own runserver banner warns about production; the README says it already.
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "DJANGO_RUNSERVER_HIDE_WARNING": "true"}
        # Links made by the worker (emails, QR codes) name the address being served.
        env.setdefault("SIGNPOST_BASE_URL", f"http://{host}:{port}")
        self.stopping = False
        self.children: dict[str, subprocess.Popen] = {}
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        pid_file = Path(settings.VAR_DIR) / "rundev.json"
        try:
            for name, command in commands.items():
                self.children[name] = subprocess.Popen(  # noqa: S603 (fixed commands)
                    command,
                    cwd=settings.BASE_DIR,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=_die_with_parent,  # before any thread is started
                )
            for name, child in self.children.items():
                threading.Thread(target=self._relay, args=(name, child.stdout), daemon=True).start()
            pid_file.parent.mkdir(parents=True, exist_ok=True)
            pid_file.write_text(json.dumps({n: p.pid for n, p in self.children.items()}))
            self.stdout.write(
                "Started "
                + ", ".join(f"{n} (pid {p.pid})" for n, p in self.children.items())
                + ". Press Ctrl-C to stop them all."
            )
            exited = self._wait_for_first_exit()
        finally:
            self._stop_all()
            pid_file.unlink(missing_ok=True)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if exited and not self.stopping:
            name, code = exited
            raise CommandError(f"The {name} process stopped (exit code {code}); stopped the rest.")
        self.stdout.write("Stopped the web server, the worker and beat.")

    def _relay(self, name: str, stream) -> None:
        """Each child's output, line by line, marked with the process it came from."""
        for line in iter(stream.readline, b""):
            self.stdout.write(f"{name:<6} | {line.decode(errors='replace').rstrip()}")
            self.stdout.flush()  # a log file sees each line as it comes
        stream.close()

    def _stop(self, signum, frame) -> None:
        """The first Ctrl-C stops everything in order; a second one does not wait."""
        if self.stopping:
            for child in self.children.values():
                self._signal_group(child, signal.SIGKILL)
        else:
            self.stdout.write(
                "Stopping the web server, the worker and beat (Ctrl-C again: at once)."
            )
        self.stopping = True

    def _wait_for_first_exit(self):
        while not self.stopping:
            for name, child in self.children.items():
                if child.poll() is not None:
                    return name, child.returncode
            time.sleep(0.2)
        return None

    def _stop_all(self) -> None:
        """SIGTERM the web server's and beat's process groups and the worker (which lets its
        pool finish the tasks in hand), wait, then SIGKILL whatever is left in any group,
        so no process outlives the command."""
        for name, child in self.children.items():
            if child.poll() is None and name == "worker":
                child.send_signal(signal.SIGTERM)  # warm shutdown: the pool is its to stop
            elif child.poll() is None:
                self._signal_group(child, signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for child in self.children.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
        for child in self.children.values():
            self._signal_group(child, signal.SIGKILL)
            child.wait()

    @staticmethod
    def _signal_group(child: subprocess.Popen, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, sig)
