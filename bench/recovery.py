"""Recovery from a killed worker: how long from SIGKILL to finished, for a
10,000-leaflet household print run and a 20,000-recipient campaign, beside the same job
run without a kill (the baseline) in the same run of this script.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signpost_bench \\
    .venv/bin/python bench/recovery.py --redis redis://127.0.0.1:6379/7 \\
        --stall 60 --lease 60 --beat 10
    .venv/bin/python bench/recovery.py --embedded --stall 60 --beat 10   # make run's stack

Two Celery worker processes (solo pool) and beat run against Redis; the print run is
made through the same service as the admin's form, the campaign sent through the send
button's service to a local mock of Mailgun's API (bench/mock_mailgun.py). Each job is
timed once whole, then again with one worker SIGKILLed part-way (at about 40% of the
leaflets stamped, a third of the campaign sent) and a replacement worker started, as a
supervisor would. Recovery is bounded by the stall time (print jobs) or the send lease
(campaigns) plus one beat interval, then the work left; production's defaults are a
180 s stall, a 300 s lease and a beat every 60 s.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import email_send  # noqa: E402 (the campaign fixtures and the mock)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaflets", type=int, default=10_000)
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--stall", type=int, default=60, help="job stall time, seconds")
    parser.add_argument("--lease", type=int, default=60, help="send lease, seconds")
    parser.add_argument("--beat", type=float, default=10, help="beat's resend interval")
    parser.add_argument("--mock-port", type=int, default=8129)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--skip-print", action="store_true")
    parser.add_argument("--skip-campaign", action="store_true")
    parser.add_argument(
        "--embedded",
        action="store_true",
        help="make run's stack: the filesystem broker, no result backend, SQLite (print only)",
    )
    parser.add_argument("--log-dir", default=str(ROOT / "var" / "bench-recovery"))
    return parser.parse_args()


def configure(args, log_dir: Path) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.recovery_settings",
        "SIGNPOST_VAR_DIR": str(log_dir / "var"),
        "MAILGUN_API_URL": f"http://127.0.0.1:{args.mock_port}/v3",
        "SIGNPOST_ESP_BATCH_SIZE": str(args.batch_size),
        "SIGNPOST_SEND_LEASE_SECONDS": str(args.lease),
        "SIGNPOST_JOB_STALL_SECONDS": str(args.stall),
        "SIGNPOST_BENCH_BEAT_SECONDS": str(args.beat),
        "SIGNPOST_BASE_URL": "https://signpost.example.org",
        "SIGNPOST_PRINT_WORK_DIR": str(log_dir / "work"),
        "SIGNPOST_PRIVATE_ROOT": str(log_dir / "private"),
    }
    if args.embedded:
        # As make run: no broker or cache server, tasks as files under var/broker/.
        for name in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL"):
            os.environ.pop(name, None)
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{log_dir / 'db.sqlite3'}")
        args.skip_campaign = True
    else:
        env.update(CELERY_BROKER_URL=args.redis, CELERY_RESULT_BACKEND=args.redis)
        env["REDIS_URL"] = args.redis
        if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
            sys.exit("Set DATABASE_URL to a PostgreSQL database (e.g. signpost_bench).")
    os.environ.update(env)
    import django

    django.setup()
    return {**os.environ, **env}


class Processes:
    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir, self.all = env, log_dir, []

    def start(self, *args: str, name: str) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (kept by the process)
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "signpost", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.all.append(process)
        return process

    def worker(self, name: str) -> subprocess.Popen:
        return self.start(
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=warning",
            "-n",
            f"{name}@%h",
            name=name,
        )

    def stop(self):
        for process in self.all:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.all:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def wait_for(predicate, *, timeout: float, every: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    raise SystemExit("Timed out.")


def print_fixtures():
    """The demo initiative's operation, area, survey wave and leaflet template."""
    from django.core.management import call_command

    from printing.models import PrintTemplate
    from surveys.models import SurveyWave

    call_command("load_demo_data", verbosity=0)
    wave = SurveyWave.objects.filter(operation__isnull=False).order_by("-closes_on").first()
    template = PrintTemplate.objects.get(name="Operation leaflet")
    return wave, template


def print_run(args, wave, template):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from printing.models import PrintFormat, QRTarget
    from printing.services import print_run_create

    user, _ = get_user_model().objects.update_or_create(
        username="bench-printer", defaults={"is_superuser": True}
    )
    with transaction.atomic():
        return print_run_create(
            user=user,
            operation=wave.operation,
            area=wave.area,
            template=template,
            format=PrintFormat.A4_LEAFLET_ONE_SIDED,
            quantity=args.leaflets,
            qr_target=QRTarget.SURVEY,
            survey_wave=wave,
            per_household=True,
        )


def print_status(run_id):
    from printing.models import PrintRun

    return PrintRun.objects.values_list("status", "items_rendered", "page_count").get(pk=run_id)


def bench_print(args, processes: Processes) -> dict:
    wave, template = print_fixtures()
    workers = [processes.worker("print-a"), processes.worker("print-b")]
    started = time.perf_counter()
    run = print_run(args, wave, template)
    wait_for(lambda: print_status(run.pk)[0] == "ready", timeout=3600)
    baseline = time.perf_counter() - started
    print(f"print baseline: {args.leaflets:,} leaflets in {baseline:.1f} s", flush=True)

    started = time.perf_counter()
    run = print_run(args, wave, template)
    wait_for(lambda: print_status(run.pk)[1] >= args.leaflets * 0.4, timeout=3600, every=0.05)
    workers[0].send_signal(signal.SIGKILL)
    killed_at = time.perf_counter()
    at_kill = print_status(run.pk)
    workers[0] = processes.worker("print-replacement")
    wait_for(lambda: print_status(run.pk)[0] == "ready", timeout=3600)
    finished = time.perf_counter()
    status = print_status(run.pk)
    from surveys.models import ResponseCode

    codes = ResponseCode.objects.filter(print_run_id=run.pk, active=True).count()
    result = {
        "baseline": baseline,
        "killed_total": finished - started,
        "recovery": finished - killed_at,
        "at_kill": at_kill[1],
        "pages": status[2],
        "codes": codes,
    }
    print(
        f"print killed at {at_kill[1]:,} of {args.leaflets:,}: finished {result['recovery']:.1f} s "
        f"after the kill ({result['killed_total']:.1f} s in all, "
        f"{result['killed_total'] / baseline:.2f}× the baseline); {status[2]:,} pages, "
        f"{codes:,} codes",
        flush=True,
    )
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
        worker.wait()
    return result


def bench_campaign(args, processes: Processes) -> dict:
    from django.db import transaction

    from newsletters.models import Campaign
    from newsletters.sending import services

    area, page = email_send.prepare(args)
    log_path = Path(args.log_dir) / "mock.log"
    log_path.unlink(missing_ok=True)
    log_path.touch()
    log = email_send.MockLog(log_path)
    mock = email_send.start_mock(args, log_path)
    try:
        workers = [processes.worker("send-a"), processes.worker("send-b")]
        expected = {email_send.address(n) for n in range(args.subscribers)}

        def sent(campaign):
            return Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT

        log.mark()
        campaign, approver = email_send.new_campaign("Benchmark recovery baseline", area, page)
        started = time.perf_counter()
        with transaction.atomic():
            services.campaign_send_now(campaign=campaign, user=approver)
        wait_for(lambda: sent(campaign), timeout=3600)
        baseline = time.perf_counter() - started
        print(f"campaign baseline: {args.subscribers:,} in {baseline:.1f} s", flush=True)

        log.mark()
        campaign, approver = email_send.new_campaign("Benchmark recovery killed", area, page)
        started = time.perf_counter()
        with transaction.atomic():
            services.campaign_send_now(campaign=campaign, user=approver)
        wait_for(
            lambda: email_send.status_counts(campaign.pk).get("sent", 0) >= args.subscribers // 3,
            timeout=3600,
            every=0.05,
        )
        workers[0].send_signal(signal.SIGKILL)
        killed_at = time.perf_counter()
        workers[0] = processes.worker("send-replacement")
        wait_for(lambda: sent(campaign), timeout=3600)
        finished = time.perf_counter()
        copies, _batches = log.since_mark()
        lost = len(expected - set(copies))
        twice = sum(1 for count in copies.values() if count > 1)
        result = {
            "baseline": baseline,
            "killed_total": finished - started,
            "recovery": finished - killed_at,
            "lost": lost,
            "duplicated": twice,
        }
        print(
            f"campaign: finished {result['recovery']:.1f} s after the kill "
            f"({result['killed_total']:.1f} s in all, "
            f"{result['killed_total'] / baseline:.2f}× the baseline); lost {lost}, "
            f"second copies {twice} (one batch is {args.batch_size})",
            flush=True,
        )
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            worker.wait()
        return result
    finally:
        mock.terminate()
        mock.wait()


def main():
    args = parse_args()
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    env = configure(args, log_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    processes = Processes(env, log_dir)
    processes.start("beat", "--loglevel=warning", "-s", str(log_dir / "beat-schedule"), name="beat")
    print(
        f"stall {args.stall} s, send lease {args.lease} s, beat every {args.beat} s"
        + (" (make run's embedded broker, SQLite)" if args.embedded else ""),
        flush=True,
    )
    try:
        if not args.skip_print:
            bench_print(args, processes)
        if not args.skip_campaign:
            bench_campaign(args, processes)
    finally:
        processes.stop()


if __name__ == "__main__":
    main()
