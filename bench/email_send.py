"""Email sending benchmark: batched campaign sending through Celery workers and Redis to a
local mock of Mailgun's API, beside a naive one-message-per-recipient loop, then a run in
which a worker is killed with SIGKILL mid-send and the send resumed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/signpost_wt5 \\
    .venv/bin/python bench/email_send.py --subscribers 20000 --workers 2

It prints emails per second for both ways and, for the killed run, how many recipients
were lost and how many got two copies (both must be 0 outside the one in-flight chunk).
Every recipient the mock accepts is logged, one line each, under --log-dir.
"""

import argparse
import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.mock_mailgun import MockMailgun  # noqa: E402

EMAIL_DOMAIN = "bench.example.org"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument(
        "--naive-sample",
        type=int,
        default=2_000,
        help="recipients sent one by one for the baseline",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--lease", type=int, default=20, help="send lease in seconds")
    parser.add_argument("--log-dir", default=str(ROOT / "var" / "bench-email"))
    return parser.parse_args()


def configure(args, mock: MockMailgun) -> dict:
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.email_settings",
        "CELERY_BROKER_URL": args.redis,
        "CELERY_RESULT_BACKEND": args.redis,
        "REDIS_URL": args.redis,
        "MAILGUN_API_URL": mock.api_url,
        "SIGNPOST_ESP_BATCH_SIZE": str(args.batch_size),
        "SIGNPOST_SEND_LEASE_SECONDS": str(args.lease),
        "SIGNPOST_BASE_URL": "https://signpost.example.org",
    }
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (e.g. signpost_wt5).")
    os.environ.update(env)
    import django

    django.setup()
    return {**os.environ, **env}


def start_worker(env: dict, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "signpost",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=warning",
            "-n",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def prepare(args):
    """Migrate, and make exactly N confirmed subscribers in a bench area."""
    from django.core.management import call_command
    from signpost.models import HomePage

    from engagement.models import Area
    from newsletters.models import Campaign, NewsletterPage, Subscriber, email_hash

    call_command("migrate", verbosity=0)
    area, _ = Area.objects.get_or_create(
        slug="bench-area",
        defaults={
            "name": "Bench area",
            "postcode_prefixes": "ZZ9",
            "household_count": args.subscribers,
        },
    )
    Campaign.objects.filter(name__startswith="Benchmark").delete()
    Subscriber.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").delete()
    Subscriber.objects.bulk_create(
        [
            Subscriber(
                email=f"resident{n:05d}@{EMAIL_DOMAIN}",
                email_hash=email_hash(f"resident{n:05d}@{EMAIL_DOMAIN}"),
                name=f"Resident {n}",
                area=area,
                status=Subscriber.Status.CONFIRMED,
            )
            for n in range(args.subscribers)
        ],
        batch_size=5000,
    )
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

    from newsletters.models import Campaign

    User = get_user_model()
    author, _ = User.objects.get_or_create(username="bench-author")
    approver, _ = User.objects.get_or_create(username="bench-approver")
    campaign = Campaign.objects.create(
        name=name,
        newsletter=page,
        subject="News from your area",
        created_by=author,
        status=Campaign.Status.APPROVED,
        approved_by=approver,
    )
    campaign.areas.set([area])
    return campaign, approver


def naive_send(args, mock, area) -> tuple[int, float]:
    """The obvious loop: one rendered message and one API call per recipient."""
    from django.core.mail import EmailMultiAlternatives, get_connection

    from newsletters.email import render_newsletter_email
    from newsletters.models import NewsletterPage, Subscriber
    from newsletters.services import _merge_values

    page = NewsletterPage.objects.get(slug="benchmark-newsletter")
    rendered = render_newsletter_email(page, subject="News from your area")
    subscribers = list(Subscriber.objects.filter(area=area).order_by("pk")[: args.naive_sample])
    connection = get_connection()
    started = time.perf_counter()
    for subscriber in subscribers:
        values = _merge_values(subscriber, 0)
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


def send_and_wait(campaign, approver, timeout=1800) -> float:
    from django.db import transaction

    from newsletters import services
    from newsletters.models import Campaign

    started = time.perf_counter()
    with transaction.atomic():
        services.campaign_send_now(campaign=campaign, user=approver)
    if not wait_for(
        lambda: Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT, timeout=timeout
    ):
        raise SystemExit(f"Campaign {campaign.pk} did not finish: {status_counts(campaign.pk)}")
    return time.perf_counter() - started


def read_log(path: Path) -> collections.Counter:
    counts = collections.Counter()
    if path.exists():
        for line in path.read_text().splitlines():
            counts[line.split(" ", 1)[1]] += 1
    return counts


def main():
    args = parse_args()
    log_dir = Path(args.log_dir)
    log_dir.mkdir(parents=True, exist_ok=True)
    for old in log_dir.glob("*.log"):
        old.unlink()
    mock = MockMailgun().start()
    env = configure(args, mock)

    from signpost.celery import app

    app.control.purge()
    area, page = prepare(args)
    expected = {f"resident{n:05d}@{EMAIL_DOMAIN}" for n in range(args.subscribers)}
    print(
        f"{args.subscribers} subscribers, batch size {args.batch_size}, {args.workers} workers, "
        f"mock Mailgun at {mock.api_url}",
        flush=True,
    )

    # 1. Naive baseline, in this process.
    mock.log_path = str(log_dir / "naive.log")
    naive_count, naive_seconds = naive_send(args, mock, area)
    naive_rate = naive_count / naive_seconds
    print(
        f"naive, one message per recipient: {naive_count} emails in {naive_seconds:.1f}s "
        f"= {naive_rate:.0f} emails/s",
        flush=True,
    )

    # 2. Batched through Celery workers.
    workers = [start_worker(env, f"bench{i}") for i in range(args.workers)]
    try:
        time.sleep(3)
        mock.log_path = str(log_dir / "batched.log")
        calls_before = mock.calls
        campaign, approver = new_campaign("Benchmark batched", area, page)
        seconds = send_and_wait(campaign, approver)
        batched_rate = args.subscribers / seconds
        sent = read_log(log_dir / "batched.log")
        print(
            f"batched, {args.batch_size} per call: {args.subscribers} emails in {seconds:.1f}s "
            f"= {batched_rate:.0f} emails/s ({batched_rate / args.workers:.0f} per worker) over "
            f"{mock.calls - calls_before} API calls; {batched_rate / naive_rate:.1f}x the naive loop",
            flush=True,
        )
        assert set(sent) == expected and max(sent.values()) == 1, "clean run lost or duplicated"

        # 3. Kill a worker mid-send with SIGKILL, then resume.
        from django.db import transaction

        from newsletters import services
        from newsletters.models import Campaign, Delivery

        mock.log_path = str(log_dir / "killed.log")
        campaign, approver = new_campaign("Benchmark killed worker", area, page)
        with transaction.atomic():
            services.campaign_send_now(campaign=campaign, user=approver)
        wait_for(
            lambda: status_counts(campaign.pk).get("sent", 0) >= args.subscribers // 3,
            timeout=600,
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
        print(f"SIGKILL worker pid {victim.pid} at {status_counts(campaign.pk)}", flush=True)
        # The others carry on; what is left is the dead worker's claimed chunk.
        wait_for(
            lambda: (
                not Delivery.objects.filter(campaign=campaign, status="queued").exists()
                and Delivery.objects.filter(campaign=campaign, status="sending")
                .values("claim")
                .distinct()
                .count()
                <= 1
            ),
            timeout=1200,
        )
        in_flight = set(
            Delivery.objects.filter(campaign=campaign, status="sending").values_list(
                "subscriber__email", flat=True
            )
        )
        print(
            f"after the others finished: {status_counts(campaign.pk)}; "
            f"{len(in_flight)} recipients in the dead worker's chunk",
            flush=True,
        )
        workers[0] = start_worker(env, "bench-replacement")
        time.sleep(args.lease + 1)
        resumed = services.deliveries_resume_stalled()
        print(f"resume: {resumed} rows queued again", flush=True)
        if not wait_for(
            lambda: Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT, timeout=600
        ):
            raise SystemExit(f"not finished after resume: {status_counts(campaign.pk)}")
        sent = read_log(log_dir / "killed.log")
        lost = expected - set(sent)
        duplicated = {address for address, n in sent.items() if n > 1}
        outside = duplicated - in_flight
        print(
            f"killed run: lost {len(lost)}, duplicated {len(duplicated)} "
            f"(all inside the one in-flight chunk of {len(in_flight)}: {not outside}), "
            f"duplicated outside it {len(outside)}",
            flush=True,
        )
        print(
            f"RESULT naive_emails_per_s={naive_rate:.0f} batched_emails_per_s={batched_rate:.0f} "
            f"ratio={batched_rate / naive_rate:.1f} lost={len(lost)} duplicated={len(duplicated)} "
            f"duplicated_outside_in_flight_chunk={len(outside)}",
            flush=True,
        )
        if lost or outside:
            sys.exit(1)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    worker.kill()
        mock.shutdown()


if __name__ == "__main__":
    main()
