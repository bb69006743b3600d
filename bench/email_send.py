"""Email sending benchmark: campaign sending through Celery workers and Redis to a local
mock of Mailgun's API, beside django-anymail's own batch ceiling and a naive
one-message-per-recipient loop, then a run in which a worker is killed with SIGKILL
mid-send and the send resumed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signpost_bench \\
    .venv/bin/python bench/email_send.py --subscribers 20000 --workers 2 \\
        --redis redis://127.0.0.1:6379/7

In one run, against one mock (its own process, so no sender shares its interpreter):

1. **anymail ceiling**: no database, no Celery; anymail's Mailgun backend sends batches
   of ``--batch-size`` with merge data, metadata and headers, one process;
2. **naive loop**: one rendered message and one API call per recipient;
3. **pipeline**: the send button's service call, then Celery workers until the campaign
   is ``sent``; the workers time each phase (bench/phases.py), printed per email;
4. **killed worker**: the same send again, a worker SIGKILLed while it holds a chunk,
   the rest resumed; lost recipients and second copies counted from the mock's log.
"""

import argparse
import collections
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EMAIL_DOMAIN = "bench.example.org"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--naive-sample", type=int, default=2_000, help="recipients sent one by one"
    )
    parser.add_argument(
        "--raw-sample", type=int, default=20_000, help="recipients for the anymail ceiling"
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--mock-port", type=int, default=8119)
    parser.add_argument("--lease", type=int, default=20, help="send lease in seconds")
    parser.add_argument("--skip-killed", action="store_true", help="no killed-worker run")
    parser.add_argument("--log-dir", default=str(ROOT / "var" / "bench-email"))
    return parser.parse_args()


def address(n: int) -> str:
    return f"resident{n:06d}@{EMAIL_DOMAIN}"


class MockLog:
    """The mock's log (``<batch id> <address>`` per accepted recipient), read by section."""

    def __init__(self, path: Path):
        self.path = path
        self.offset = 0

    def mark(self) -> None:
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def since_mark(self) -> tuple[collections.Counter, int]:
        counts, batches = collections.Counter(), set()
        with self.path.open("rb") as log:
            log.seek(self.offset)
            for line in log.read().decode().splitlines():
                batch, _, recipient = line.partition(" ")
                counts[recipient] += 1
                batches.add(batch)
        return counts, len(batches)


def start_mock(args, log_path: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "mock_mailgun.py")]
        + ["--port", str(args.mock_port), "--log", str(log_path)],
        stdout=subprocess.DEVNULL,
    )
    import socket

    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", args.mock_port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    sys.exit(f"The mock did not start on port {args.mock_port}.")


def configure(args) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.email_settings",
        "CELERY_BROKER_URL": args.redis,
        "CELERY_RESULT_BACKEND": args.redis,
        "REDIS_URL": args.redis,
        "MAILGUN_API_URL": f"http://127.0.0.1:{args.mock_port}/v3",
        "SIGNPOST_ESP_BATCH_SIZE": str(args.batch_size),
        "SIGNPOST_SEND_LEASE_SECONDS": str(args.lease),
        "SIGNPOST_BASE_URL": "https://signpost.example.org",
    }
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (e.g. signpost_bench).")
    os.environ.update(env)
    import django

    django.setup()
    return {**os.environ, **env, "SIGNPOST_BENCH_PHASES": "1"}


def start_worker(env: dict, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "signpost", "worker", "--pool=solo"]
        + ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        + ["--loglevel=warning", "-n", f"{name}@%h"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _stat(path: Path) -> tuple[str, list[str]] | None:
    """A /proc stat file's command name and the fields after it (None once it is gone)."""
    try:
        text = path.read_text()
    except OSError:
        return None
    name, _, rest = text.rpartition(")")
    return name.partition("(")[2], rest.split()


def _ticks(fields: list[str], *, children: bool = False) -> int:
    """User and system clock ticks (with those of reaped children)."""
    return sum(int(f) for f in fields[11 : 15 if children else 13])


def cpu_seconds(pid: int) -> float:
    """User and system CPU seconds a process (all its threads) has used so far."""
    stat = _stat(Path(f"/proc/{pid}/stat"))
    return _ticks(stat[1]) / os.sysconf("SC_CLK_TCK") if stat else 0.0


def postgres_cpu_seconds() -> float:
    """CPU seconds of every PostgreSQL process on this machine so far, with what the
    server's exited backends used (their parent's children's time)."""
    stats = (_stat(path) for path in Path("/proc").glob("[0-9]*/stat"))
    ticks = sum(_ticks(s[1], children=True) for s in stats if s and s[0] == "postgres")
    return ticks / os.sysconf("SC_CLK_TCK")


def prepare(args):
    """Migrate, and make exactly N confirmed subscribers in a bench area (one INSERT)."""
    from django.core.management import call_command
    from django.db import connection
    from signpost.models import HomePage

    from engagement.models import Area
    from newsletters.models import Campaign, Delivery, NewsletterPage, Subscriber

    call_command("migrate", verbosity=0)
    area, _ = Area.objects.get_or_create(
        slug="bench-area",
        defaults={
            "name": "Bench area",
            "postcode_prefixes": "ZZ9",
            "household_count": args.subscribers,
        },
    )
    Area.objects.filter(pk=area.pk).update(household_count=args.subscribers)
    old = Campaign.objects.filter(name__startswith="Benchmark")
    Delivery.objects.filter(campaign__in=old)._raw_delete(Delivery.objects.db)
    old.delete()
    bench = Subscriber.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    Delivery.objects.filter(subscriber__in=bench).update(subscriber=None)
    bench._raw_delete(Subscriber.objects.db)
    with connection.cursor() as cursor:
        # The table name from the model; the values are parameters.
        insert = f"""
            INSERT INTO {Subscriber._meta.db_table}
                (key, email, email_hash, name, postcode, area_id, status, created_at,
                 confirmed_at)
            SELECT gen_random_uuid(), e, encode(sha256(convert_to(e, 'UTF8')), 'hex'),
                   'Resident ' || n, '', %s, 'confirmed', now(), now()
            FROM (SELECT n, 'resident' || lpad(n::text, 6, '0') || '@{EMAIL_DOMAIN}' AS e
                  FROM generate_series(0, %s - 1) AS n) AS numbered
        """  # noqa: S608
        cursor.execute(insert, [area.pk, args.subscribers])
        # Every run starts from the same state: without this, the rows the runs before
        # deleted and superseded are still in the tables and their indexes, and each run
        # is slower than the one before it.
        for model in (Subscriber, Delivery):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    page = NewsletterPage.objects.filter(slug="benchmark-newsletter").first()
    if page is None:
        page = NewsletterPage(
            title="Benchmark newsletter",
            slug="benchmark-newsletter",
            introduction="What happened in your area this month.",
            body=[
                ("heading", "Arrests on Mill Lane"),
                ("paragraph", "<p>Officers closed a <b>drug line</b> on Mill Lane.</p>"),
                (
                    "you_said_we_did",
                    {"you_said": "Dealing by the school.", "we_did": "Daily patrols."},
                ),
            ],
        )
        HomePage.objects.get().add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
    return area, page


def new_campaign(name, area, page):
    from django.contrib.auth import get_user_model

    from newsletters.campaigns import services
    from newsletters.models import Campaign

    User = get_user_model()
    author, _ = User.objects.get_or_create(username="bench-author")
    approver, _ = User.objects.update_or_create(
        username="bench-approver", defaults={"is_superuser": True}
    )
    campaign = Campaign.objects.create(
        name=name, newsletter=page, subject="News from your area", created_by=author
    )
    campaign.areas.set([area])
    # Approved through the service, so the send uses the approved revision as a real one does.
    campaign = services.campaign_approve(campaign=campaign, user=approver)
    return campaign, approver


def raw_anymail(args, page, *, prepared: bool = False) -> tuple[int, float, float]:
    """django-anymail alone: the campaign's email, batches with merge data, metadata and
    per-recipient headers as Signpost sends them, one connection, no database. With
    ``prepared``, through the Mailgun backend Signpost sends campaigns with, given the
    addresses already parsed (campaign_backends.mailgun): the like-for-like ceiling.
    Returns the emails, the seconds and the sender's CPU seconds."""
    from anymail.message import AnymailMessage
    from django.conf import settings
    from django.core.mail import get_connection

    from newsletters.campaign_backends.anymail import to_esp_syntax
    from newsletters.campaign_backends.mailgun import prepared_address
    from newsletters.campaigns.email import render_newsletter_email

    rendered = render_newsletter_email(page, subject="News from your area")
    subject, text = to_esp_syntax(rendered.subject), to_esp_syntax(rendered.text)
    html = to_esp_syntax(rendered.html)
    token = "W1siYTFiMmMzZDRlNWY2YTdiOGM5ZDBlMWYyYTNiNGM1ZCIsMTJdXQ:" + "x" * 43
    base = "https://signpost.example.org/newsletters"
    batches = []
    for start in range(0, args.raw_sample, args.batch_size):
        emails = [address(n) for n in range(start, min(start + args.batch_size, args.raw_sample))]
        values = {
            e: {
                "name": f"Resident {i}",
                "unsubscribe_url": f"{base}/unsubscribe/{token}{i}/",
                "preferences_url": f"{base}/preferences/{token}{i}/",
            }
            for i, e in enumerate(emails, start)
        }
        batches.append((emails, values))
    backend = "newsletters.campaign_backends.mailgun.PreparedMailgunBackend" if prepared else None
    connection = get_connection(backend)
    connection.open()
    started = time.perf_counter()
    cpu = time.process_time()
    for emails, values in batches:
        message = AnymailMessage(
            subject=subject,
            body=text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[prepared_address(e) for e in emails] if prepared else emails,
            connection=connection,
        )
        message.attach_alternative(html, "text/html")
        message.merge_data = values
        message.merge_metadata = {e: {"delivery": str(i)} for i, e in enumerate(emails)}
        message.merge_headers = {
            e: {"List-Unsubscribe": f"<{values[e]['unsubscribe_url']}>"} for e in emails
        }
        message.extra_headers = {"List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        message.metadata = {"campaign": "0"}
        message.tags = ["campaign"]
        message.track_opens = True
        message.track_clicks = True
        message.send()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    connection.close()
    return args.raw_sample, seconds, cpu


def naive_send(args, area) -> tuple[int, float]:
    """The obvious loop: one rendered message and one API call per recipient."""
    from django.core.mail import EmailMultiAlternatives, get_connection

    from newsletters.campaigns.email import render_newsletter_email
    from newsletters.models import NewsletterPage, Subscriber
    from newsletters.sending.merge import merge_values

    page = NewsletterPage.objects.get(slug="benchmark-newsletter")
    rendered = render_newsletter_email(page, subject="News from your area")
    subscribers = list(Subscriber.objects.filter(area=area).order_by("pk")[: args.naive_sample])
    connection = get_connection()
    started = time.perf_counter()
    for subscriber in subscribers:
        values = merge_values(subscriber, 0)
        message = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text_for(values),
            to=[subscriber.email],
            headers={
                "List-Unsubscribe": f"<{values['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
            connection=connection,
        )
        message.attach_alternative(rendered.html_for(values), "text/html")
        message.send()
    return len(subscribers), time.perf_counter() - started


def status_counts(campaign_id) -> dict:
    from django.db.models import Count

    from newsletters.models import Delivery

    rows = Delivery.objects.filter(campaign_id=campaign_id).values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def wait_for(predicate, *, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(every)
    return False


class MemorySampler(threading.Thread):
    """Each worker's resident memory twice a second while a send runs."""

    def __init__(self, workers):
        super().__init__(daemon=True)
        self.workers = workers
        self.samples: list[list[float]] = []
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.wait(0.5):
            self.samples.append([rss_mb(w.pid) for w in self.workers])

    def summary(self) -> str:
        if len(self.samples) < 4:
            return "too short to sample"
        early = self.samples[len(self.samples) // 10]
        peak = [max(s[i] for s in self.samples) for i in range(len(self.workers))]
        last = self.samples[-1]
        return ", ".join(
            f"worker {i}: {early[i]:.0f} MB at 10%, {last[i]:.0f} MB at the end, peak {peak[i]:.0f}"
            for i in range(len(self.workers))
        )


def send_and_wait(campaign, approver, timeout=3600) -> tuple[float, float]:
    """Seconds for the send button's service call (with its commit), and until ``sent``."""
    from django.db import transaction

    from newsletters.models import Campaign
    from newsletters.sending import services

    started = time.perf_counter()
    with transaction.atomic():
        services.campaign_send_now(campaign=campaign, user=approver)
    request = time.perf_counter() - started
    if not wait_for(
        lambda: Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT,
        timeout=timeout,
        every=0.1,
    ):
        raise SystemExit(f"Campaign {campaign.pk} did not finish: {status_counts(campaign.pk)}")
    return request, time.perf_counter() - started


def killed_run(args, env, workers, area, page, log: MockLog, expected: set) -> dict:
    from django.db import transaction

    from newsletters.models import Campaign, Delivery
    from newsletters.sending import services

    log.mark()
    campaign, approver = new_campaign("Benchmark killed worker", area, page)
    with transaction.atomic():
        services.campaign_send_now(campaign=campaign, user=approver)
    wait_for(
        lambda: status_counts(campaign.pk).get("sent", 0) >= args.subscribers // 3,
        timeout=1800,
        every=0.05,
    )
    victim = workers[0]
    # Kill while it holds a chunk, so the test is of the hard case.
    wait_for(
        lambda: Delivery.objects.filter(campaign=campaign, status="sending").exists(),
        timeout=60,
        every=0.01,
    )
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    at_kill = status_counts(campaign.pk)
    print(f"SIGKILL worker pid {victim.pid} at {at_kill}", flush=True)
    # The others carry on until only the dead worker's rows are left: its claimed
    # batches (the one that may have reached the ESP, and the next one, claimed but never
    # sent) and the queued rest of its task's range, which nobody claims until the resume.
    last = None

    def settled():
        nonlocal last
        now = status_counts(campaign.pk)
        still, last = now == last, now
        return still

    wait_for(settled, timeout=3600, every=3)
    claims = collections.defaultdict(set)
    for claim, email in Delivery.objects.filter(campaign=campaign, status="sending").values_list(
        "claim", "subscriber__email"
    ):
        claims[claim].add(email)
    print(
        f"after the others finished: {status_counts(campaign.pk)}; "
        f"the dead worker held {len(claims)} claims of "
        f"{sorted(len(c) for c in claims.values())} recipients",
        flush=True,
    )
    workers[0] = start_worker(env, "bench-replacement")
    time.sleep(args.lease + 1)
    resumed = services.deliveries_resume_stalled()
    print(f"resume: {resumed} rows queued again", flush=True)

    def finished_as_beat_finds_it():
        # Beat runs the resume task every minute; here every few seconds. A worker killed
        # between recording a batch and adding it to the cache's tally leaves the tally
        # short, and then it is the resume task that sees the campaign is done.
        if Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT:
            return True
        if time.monotonic() - beat["last"] >= 5:
            beat["last"] = time.monotonic()
            beat["runs"] += 1
            services.deliveries_resume_stalled()
        return False

    beat = {"last": time.monotonic(), "runs": 0}
    if not wait_for(finished_as_beat_finds_it, timeout=600):
        raise SystemExit(f"not finished after resume: {status_counts(campaign.pk)}")
    print(f"finished after {beat['runs']} more runs of the resume task", flush=True)
    sent, _ = log.since_mark()
    lost = expected - set(sent)
    duplicated = {a for a, n in sent.items() if n > 1}
    # Every second copy must come from one claim of the dead worker's: one batch at risk.
    at_risk = max(claims.values(), key=lambda c: len(duplicated & c), default=set())
    outside = duplicated - at_risk
    print(
        f"killed run: lost {len(lost)}, duplicated {len(duplicated)} "
        f"(all inside one claimed batch of {len(at_risk)}: {not outside}), "
        f"duplicated outside it {len(outside)}",
        flush=True,
    )
    return {"lost": len(lost), "duplicated": len(duplicated), "outside": len(outside)}


def main():
    args = parse_args()
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "mock.log"
    log_path.unlink(missing_ok=True)
    log_path.touch()
    log = MockLog(log_path)
    mock = start_mock(args, log_path)
    workers: list[subprocess.Popen] = []
    try:
        env = configure(args)
        import redis
        from signpost.celery import app

        from bench import phases

        app.control.purge()
        broker = redis.Redis.from_url(args.redis)
        area, page = prepare(args)
        expected = {address(n) for n in range(args.subscribers)}
        print(
            f"{args.subscribers} subscribers, batch size {args.batch_size}, "
            f"{args.workers} workers, mock Mailgun on port {args.mock_port}, "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )

        # 1. django-anymail's own ceiling, in this process: as anymail is documented (the
        # addresses as strings), and as Signpost uses it (the addresses prepared).
        rates = {}
        for prepared, label in ((False, "anymail alone"), (True, "anymail alone, prepared")):
            log.mark()
            mock_cpu = cpu_seconds(mock.pid)
            raw_count, raw_seconds, raw_cpu = raw_anymail(args, page, prepared=prepared)
            rates[prepared] = raw_count / raw_seconds
            raw_mock_cpu = cpu_seconds(mock.pid) - mock_cpu
            print(
                f"{label}, {args.batch_size} per call, one process: {raw_count} emails in "
                f"{raw_seconds:.2f}s = {rates[prepared]:.0f} emails/s "
                f"({1e6 / rates[prepared]:.0f} µs per email; CPU per email: "
                f"{1e6 * raw_cpu / raw_count:.0f} µs in the sender, "
                f"{1e6 * raw_mock_cpu / raw_count:.0f} µs in the mock)",
                flush=True,
            )
        raw_rate, prepared_rate = rates[False], rates[True]

        # 2. Naive baseline, in this process.
        log.mark()
        naive_count, naive_seconds = naive_send(args, area)
        naive_rate = naive_count / naive_seconds
        print(
            f"naive, one message per recipient: {naive_count} emails in {naive_seconds:.1f}s "
            f"= {naive_rate:.0f} emails/s",
            flush=True,
        )

        # 3. The pipeline, through Celery workers.
        workers = [start_worker(env, f"bench{i}") for i in range(args.workers)]
        wait_for(lambda: len(app.control.ping(timeout=0.5) or []) >= args.workers, timeout=60)
        broker.delete(phases.REDIS_KEY)
        log.mark()
        memory = MemorySampler(workers)
        memory.start()
        campaign, approver = new_campaign("Benchmark batched", area, page)
        worker_cpu = sum(cpu_seconds(w.pid) for w in workers)
        mock_cpu = cpu_seconds(mock.pid)
        database_cpu = postgres_cpu_seconds()
        request_seconds, seconds = send_and_wait(campaign, approver)
        worker_cpu = sum(cpu_seconds(w.pid) for w in workers) - worker_cpu
        mock_cpu = cpu_seconds(mock.pid) - mock_cpu
        database_cpu = postgres_cpu_seconds() - database_cpu
        memory.stopped.set()
        time.sleep(1)  # the last task's timers reach Redis after the campaign is sent
        totals = phases.collect(broker)
        rate = args.subscribers / seconds
        per_worker = rate / args.workers
        sent, calls = log.since_mark()
        print(
            f"pipeline, {args.batch_size} per call: {args.subscribers} emails in {seconds:.2f}s "
            f"= {rate:.0f} emails/s ({per_worker:.0f} per worker) over {calls} API calls; "
            f"send button's service call {1000 * request_seconds:.0f} ms",
            flush=True,
        )
        print(f"worker memory: {memory.summary()}", flush=True)
        print(
            f"CPU per email: {1e6 * worker_cpu / args.subscribers:.0f} µs in the workers, "
            f"{1e6 * mock_cpu / args.subscribers:.0f} µs in the mock, "
            f"{1e6 * database_cpu / args.subscribers:.0f} µs in PostgreSQL "
            f"(wall × {os.cpu_count()} cores / emails = "
            f"{1e6 * seconds * os.cpu_count() / args.subscribers:.0f} µs)",
            flush=True,
        )
        assert set(sent) == expected and max(sent.values()) == 1, "clean run lost or duplicated"
        print(
            f"per email, worker time ({int(totals.get('chunk tasks', 0))} chunk tasks, "
            f"{int(totals.get('tasks', 0))} tasks in all):",
            flush=True,
        )
        rows = phases.breakdown(totals, args.subscribers)
        for name, micros in rows:
            print(f"  {name:<52} {micros:8.1f} µs", flush=True)
        accounted = sum(m for _, m in rows)
        for name, micros in phases.overlapped(totals, args.subscribers):
            print(f"  ({name:<50} {micros:8.1f} µs, overlapped, not in the sum)", flush=True)
        print(
            f"  {'sum':<52} {accounted:8.1f} µs "
            f"(wall × workers / emails = {1e6 * seconds * args.workers / args.subscribers:.1f} µs)",
            flush=True,
        )
        print(
            f"ratios: per worker {per_worker / raw_rate:.0%} of anymail alone "
            f"({per_worker / prepared_rate:.0%} of anymail alone with prepared addresses); "
            f"{per_worker / naive_rate:.1f}x the naive loop per worker "
            f"({rate / naive_rate:.1f}x in all)",
            flush=True,
        )

        killed = {"lost": "-", "duplicated": "-", "outside": "-"}
        if not args.skip_killed:
            killed = killed_run(args, env, workers, area, page, log, expected)
        print(
            f"RESULT subscribers={args.subscribers} workers={args.workers} "
            f"anymail_emails_per_s={raw_rate:.0f} naive_emails_per_s={naive_rate:.0f} "
            f"pipeline_emails_per_s={rate:.0f} per_worker={per_worker:.0f} "
            f"per_worker_of_anymail={per_worker / raw_rate:.2f} "
            f"anymail_prepared_emails_per_s={prepared_rate:.0f} "
            f"per_worker_of_anymail_prepared={per_worker / prepared_rate:.2f} "
            f"per_worker_over_naive={per_worker / naive_rate:.1f} "
            f"request_ms={1000 * request_seconds:.0f} lost={killed['lost']} "
            f"duplicated={killed['duplicated']} "
            f"duplicated_outside_in_flight_chunk={killed['outside']}",
            flush=True,
        )
        if killed["lost"] not in (0, "-") or killed["outside"] not in (0, "-"):
            sys.exit(1)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
        mock.terminate()
        mock.wait()


if __name__ == "__main__":
    main()
