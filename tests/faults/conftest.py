"""The fault-injection suite's stack, as production runs it: this process is the web
(Django's test client), and a Celery worker and beat run as separate processes on a
Redis of the suite's own (``redis-server`` on ``SIGNPOST_FAULT_REDIS_PORT``, so it can be
stopped without touching anyone else's) and on the test database in PostgreSQL."""

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import ensure_migrated_data, unavailable

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = Path(__file__).with_name("launch.py")
REDIS_PORT = int(os.environ.get("SIGNPOST_FAULT_REDIS_PORT", "6396"))
POSTGRES_PORT = int(os.environ.get("SIGNPOST_FAULT_POSTGRES_PORT", "5496"))


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_for(predicate, *, timeout: float, every: float = 0.2, message: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(every)
    raise AssertionError(message or f"not within {timeout} s")


class OwnRedis:
    """A redis-server the suite starts and stops (never the shared one)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.process = None

    def start(self):
        if port_open(REDIS_PORT):
            raise AssertionError(f"Something already listens on {REDIS_PORT}.")
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                *("--port", str(REDIS_PORT), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: port_open(REDIS_PORT), timeout=10, message="redis did not start")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        wait_for(lambda: not port_open(REDIS_PORT), timeout=10)

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{REDIS_PORT}/{db}"


class OwnPostgres:
    """A PostgreSQL cluster the suite creates, restarts and removes (never the shared one),
    holding a copy of the test database under the same name. PostgreSQL refuses to run as
    root, so as root the cluster belongs to the ``postgres`` user."""

    def __init__(self):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
        if not binaries and not shutil.which("pg_ctl"):
            unavailable("needs PostgreSQL's server binaries (pg_ctl, initdb)")
        self.bin = Path(binaries[-1]).parent if binaries else Path(shutil.which("pg_ctl")).parent
        self.folder = Path(tempfile.mkdtemp(prefix="signpost-faults-pg-"))
        self.data = self.folder / "data"
        self.owner = None
        if os.geteuid() == 0:
            self.owner = pwd.getpwnam("postgres")
            os.chown(self.folder, self.owner.pw_uid, self.owner.pw_gid)
        self._run(
            "initdb",
            *("-D", str(self.data), "-A", "trust", "-U", "postgres"),
            *("-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
        )

    def _run(self, program: str, *args: str, check: bool = True):
        command = [str(self.bin / program), *args]
        if self.owner is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(
            command, check=check, capture_output=True, text=True, cwd=self.folder, timeout=120
        )

    def start(self):
        if port_open(POSTGRES_PORT):
            raise AssertionError(f"Something already listens on {POSTGRES_PORT}.")
        options = f"-p {POSTGRES_PORT} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self):
        """A fast shutdown, as ``systemctl restart postgresql`` does: every session ended."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        wait_for(lambda: not port_open(POSTGRES_PORT), timeout=30)

    def copy_database(self, settings_dict: dict) -> None:
        """Create the test database here, with the shared cluster's schema and rows."""
        shared = ["-h", settings_dict["HOST"], "-p", str(settings_dict["PORT"] or 5432)]
        own = ["-h", "127.0.0.1", "-p", str(POSTGRES_PORT)]
        user = ["-U", settings_dict["USER"] or "postgres"]
        name = settings_dict["NAME"]
        subprocess.run(["createdb", *own, "-U", "postgres", name], check=True, timeout=60)
        dump = subprocess.run(
            ["pg_dump", *shared, *user, "--no-owner", "--no-privileges", name],
            check=True,
            capture_output=True,
            timeout=300,
        )
        subprocess.run(
            ["psql", *own, "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-d", name],
            input=dump.stdout,
            check=True,
            capture_output=True,
            timeout=300,
        )

    def remove(self):
        if port_open(POSTGRES_PORT):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.folder, ignore_errors=True)


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


class Stack:
    """Worker and beat processes; ``worker(fault=…)`` starts one with a fault planted."""

    def __init__(self, folder: Path, redis: OwnRedis):
        self.folder = folder
        self.redis = redis
        self.processes: list[subprocess.Popen] = []
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": redis.url(0),
            "CELERY_RESULT_BACKEND": redis.url(0),
            "REDIS_URL": redis.url(1),
            "SIGNPOST_VAR_DIR": str(folder / "var"),
            "SIGNPOST_PRIVATE_ROOT": str(folder / "private"),
            "MEDIA_ROOT": str(folder / "media"),
            "SIGNPOST_PRINT_WORK_DIR": str(folder / "work"),
            "SIGNPOST_BASE_URL": "http://testserver",
            "PYTHONUNBUFFERED": "1",
        }

    def _start(self, name: str, args: list[str], fault: str = "") -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 (kept by the process)
        process = subprocess.Popen(
            [sys.executable, str(LAUNCH), *args],
            cwd=ROOT,
            env={**self.env, "SIGNPOST_TEST_FAULT": fault},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.name = name
        self.processes.append(process)
        return process

    def worker(self, *, fault: str = "", name: str = "worker") -> subprocess.Popen:
        return self._start(
            name,
            [
                *("worker", "--pool=solo", "--without-gossip", "--without-mingle"),
                *("--loglevel=info", "-n", f"{name}-{len(self.processes)}@%h"),
            ],
            fault,
        )

    def beat(self) -> subprocess.Popen:
        return self._start(
            "beat", ["beat", "--loglevel=info", "-s", str(self.folder / "beat-schedule")]
        )

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text()[-4000:]}" for path in self.folder.glob("*.log")
        )

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture
def own_redis(tmp_path):
    if not shutil.which("redis-server"):
        unavailable("needs redis-server to run a Redis of the suite's own")
    redis = OwnRedis(tmp_path)
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def stack(transactional_db, django_db_serialized_rollback, own_redis, tmp_path, settings):
    """Worker and beat on the suite's Redis; this process sends its tasks there too, and
    reads the files the worker writes."""
    from celery import Celery
    from signpost.celery import app as signpost_app

    if connection.vendor != "postgresql":
        unavailable("needs PostgreSQL: set DATABASE_URL=postgres://…")
    ensure_migrated_data()
    (tmp_path / "var" / "mail").mkdir(parents=True)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "signpost.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    settings.SIGNPOST_PRINT_WORK_DIR = str(tmp_path / "work")
    settings.SIGNPOST_PRINT_PART_SIZE = 100
    settings.SIGNPOST_JOB_STALL_SECONDS = 5
    settings.SIGNPOST_BASE_URL = "http://testserver"
    broker = Celery("signpost-faults", broker=own_redis.url(0), set_as_current=True)
    broker.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 2}
    # Sent to the queues the worker serves, as Signpost's own app would send them.
    broker.conf.task_default_queue = signpost_app.conf.task_default_queue
    broker.conf.task_routes = signpost_app.conf.task_routes
    stack = Stack(tmp_path, own_redis)
    try:
        yield stack
    finally:
        signpost_app.set_current()
        broker.close()
        stack.stop()


@pytest.fixture
def own_postgres(stack):
    """This process and the stack's worker and beat on a cluster of the suite's own, which
    the test may stop and start; the shared test database is untouched meanwhile."""
    from django.db import connections

    postgres = OwnPostgres()
    postgres.start()
    original = dict(connection.settings_dict)
    try:
        postgres.copy_database(original)
        connections.close_all()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(POSTGRES_PORT))
        stack.env["DATABASE_URL"] = database_url()
        yield postgres
    finally:
        stack.stop()  # before the cluster goes, so no worker is left reconnecting to it
        connections.close_all()
        connection.settings_dict.update(HOST=original["HOST"], PORT=original["PORT"])
        postgres.remove()


def killed(process: subprocess.Popen, timeout: float = 120) -> bool:
    """Whether the process died of SIGKILL (its planted fault) within ``timeout``."""
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return False
    return process.returncode == -signal.SIGKILL


# The printing tests' initiative, area, operation and template, for the print faults.
from tests.printing.conftest import area, initiative, leaflet_template, operation  # noqa: E402, F401
