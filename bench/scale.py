"""Every page at a force's size beside the same page at a hundredth of it, in one run.

    .venv/bin/python bench/scale.py [--factor 1.0] [--repeat 5] [--rebuild] [--only PATTERN]

A police force or a group of councils sharing one install holds, after a few years,
about 50 areas, 1,000,000 subscribers, 5,000,000 deliveries, 500,000 survey responses
(6,000,000 answers), 20,000 stakeholders with 100,000 assessments and log entries,
2,000 print runs with 2,000,000 household codes and 600,000 audit-log entries: that is
``--factor 1``. Two PostgreSQL databases are built beside the one in DATABASE_URL
(``<name>_scale_large`` at the factor and ``<name>_scale_small`` at a hundredth of it: the
same 50 areas, a hundredth of everything that accumulates in them),
each with the demo loaded and the bulk added set-based in SQL (minutes, not hours); a
database built at the same factor is kept and reused unless ``--rebuild`` (migrated to
this code's schema first); ``--build-only`` builds them and stops.

Then the pages: every admin page a superuser reaches from the admin's home and menu in
two clicks (one page of each shape: ``/admin/x/12/`` and ``/admin/x/13/`` are one), the
public pages reached from the home page in two clicks, the exports, and the resident's
two POSTs (sign-up, a survey answer), each requested through Django's test client in a
process of its own per database and round (served as production serves: DEBUG off, the
loaded code frozen out of the garbage collector), warmed once then timed three times;
``--repeat`` rounds alternate the two sizes, so the machine's own ups and downs weigh on
both alike. For each the median server time and the number of queries at both sizes;
last, the worst page's growth in time (large ÷ small) and every page whose query count differs between them.
A streamed download's time is to its first bytes; the whole download is tabled apart.
"""

import argparse
import datetime
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The force's geography: its areas are drawn when it starts and stay, so they are the same
# at every factor. The small data set is the same force early on, not a hundredth of a
# force (which would have half an area); what grows over the years is the rest.
AREAS = 50
# At --factor 1 (a force's size after a few years).
SIZES = {
    "subscribers": 1_000_000,
    "deliveries": 5_000_000,
    "responses": 500_000,
    "stakeholders": 20_000,
    "assessments": 80_000,
    "engagements": 20_000,
    "print_runs": 2_000,
    "codes": 2_000_000,
    "log_entries": 600_000,
    "jobs": 100_000,
}
CAMPAIGNS = 25  # deliveries are spread over this many sent campaigns

# Pages not to request while crawling: they act or sign out (GET never acts, but a
# confirmation page measures nothing a listing does not).
SKIP = re.compile(
    r"/(logout|delete|unpublish|revert|lock|unlock|copy|move|disable|enable|reset|erase|"
    r"retry|send|approve|reject|issue|cancel|workflow|action|jsi18n|preview|bulk|chooser|"
    r"autocomplete|password_reset|second-factor|account)(/|$)|/sign-out"
)
HREF = re.compile(r"""(?:href|data-url|"url")\s*[=:]\s*["'](/[^"'#<>\s]*)["']""")


def database_name(url: str, size: str) -> str:
    return f"{url.rsplit('/', 1)[1].split('?')[0]}_scale_{size}"


def database_url(url: str, size: str) -> str:
    return f"{url.rsplit('/', 1)[0]}/{database_name(url, size)}"


# --- Building a data set ------------------------------------------------------------


def build(factor: float) -> None:
    """In this process's DATABASE_URL (empty): migrate, load the demo, add the bulk."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("load_demo_data", verbosity=0)
    sizes = {name: max(1, round(count * factor)) for name, count in SIZES.items()}
    sizes["areas"] = AREAS
    with connection.cursor() as cursor:
        for step in STEPS:
            step_started = time.monotonic()
            step(cursor, sizes)
            print(f"  {step.__name__}: {time.monotonic() - step_started:.1f} s", flush=True)
        cursor.execute("ANALYZE")
    print(f"built at factor {factor} in {time.monotonic() - started:.0f} s", flush=True)


def areas(cursor, sizes):
    cursor.execute("SELECT count(*) FROM engagement_area")
    missing = sizes["areas"] - cursor.fetchone()[0]
    cursor.execute(
        """
        INSERT INTO engagement_area (name, slug, description, postcode_prefixes, streets,
                                     household_count, is_comparison_area)
        SELECT 'Area ' || g, 'area-' || g, '', 'ZZ' || g || ' ', '', 1500 + g, false
        FROM generate_series(1, %s) g
        """,
        [max(0, missing)],
    )


def subscribers(cursor, sizes):
    cursor.execute(
        """
        INSERT INTO newsletters_subscriber (key, email, email_hash, name, postcode, area_id,
                                            status, created_at, confirmed_at, language)
        SELECT gen_random_uuid(), 'resident' || g || '@scale.example.org',
               encode(sha256(('resident' || g || '@scale.example.org')::bytea), 'hex'),
               CASE WHEN g %% 3 = 0 THEN 'Resident ' || g ELSE '' END,
               'ZZ1 ' || (g %% 9) || 'AB',
               (SELECT array_agg(id ORDER BY id) FROM engagement_area)[1 + g %% %s],
               CASE WHEN g %% 20 = 0 THEN 'unsubscribed' WHEN g %% 25 = 0 THEN 'pending'
                    ELSE 'confirmed' END,
               now() - (g %% 900) * interval '1 day', now() - (g %% 900) * interval '1 day',
               CASE WHEN g %% 40 = 0 THEN 'cy' WHEN g %% 61 = 0 THEN 'ur' ELSE 'en-gb' END
        FROM generate_series(1, %s) g
        """,
        [sizes["areas"], sizes["subscribers"]],
    )
    cursor.execute(
        """
        INSERT INTO newsletters_subscriber_topics (subscriber_id, topic_id)
        SELECT s.id, t.id FROM newsletters_subscriber s
        JOIN newsletters_topic t ON (s.id + t.id) %% 3 = 0
        WHERE s.email LIKE '%%@scale.example.org'
        """,
        [],
    )
    cursor.execute(
        """
        INSERT INTO newsletters_consentrecord (subscriber_id, at, action, method,
                                               wording_version, changes, language)
        SELECT id, created_at, 'signed_up', 'web_form', '1', '{}'::jsonb, language
        FROM newsletters_subscriber WHERE email LIKE '%%@scale.example.org'
        """,
        [],
    )


def deliveries(cursor, sizes):
    cursor.execute("SELECT id FROM newsletters_campaign WHERE status = 'sent' ORDER BY id LIMIT 1")
    row = cursor.fetchone()
    if row is None:
        cursor.execute("SELECT id FROM newsletters_campaign ORDER BY id LIMIT 1")
        row = cursor.fetchone()
    template = row[0]
    columns = [
        "name", "newsletter_id", "subject", "created_by_id", "approved_by_id",
        "approved_revision_id", "approved_subject", "approved_segment", "rendered_subject",
        "rendered_html", "rendered_text", "rendered_language", "approved_translations",
        "rendered_translations",
    ]  # fmt: skip
    copy_campaigns = f"""
        INSERT INTO newsletters_campaign ({", ".join(columns)}, status, created_at,
            approved_at, send_started_at, send_finished_at, ledger_written_at, recipient_count)
        SELECT {", ".join(f"c.{c}" for c in columns)}, 'sent',
               now() - g * interval '20 days', now() - g * interval '20 days',
               now() - g * interval '20 days', now() - g * interval '20 days',
               now() - g * interval '20 days', %s
        FROM newsletters_campaign c, generate_series(1, %s) g WHERE c.id = %s
        """  # noqa: S608 (the column names are the list above)
    cursor.execute(copy_campaigns, [sizes["deliveries"] // CAMPAIGNS, CAMPAIGNS, template])
    per_campaign = sizes["deliveries"] // CAMPAIGNS
    cursor.execute(
        """
        INSERT INTO newsletters_delivery (campaign_id, subscriber_id, status, attempts,
            esp_message_id, error, sent_at, delivered_at, opened_at, language)
        SELECT c.id, s.id,
               CASE WHEN s.id %% 50 = 0 THEN 'bounced' ELSE 'delivered' END, 1,
               'scale-' || c.id || '-' || s.id, '', now(), now(),
               CASE WHEN s.id %% 3 = 0 THEN now() END, ''
        FROM (SELECT id FROM newsletters_campaign ORDER BY id DESC LIMIT %s) c
        CROSS JOIN LATERAL (
            SELECT id FROM newsletters_subscriber
            WHERE email LIKE '%%@scale.example.org'
            ORDER BY id LIMIT %s OFFSET (c.id * 7919) %% 1000
        ) s
        """,
        [CAMPAIGNS, per_campaign],
    )


def responses(cursor, sizes):
    """The demo's responses copied, answers and all, until there are enough."""
    cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM surveys_response")
    existing, last = cursor.fetchone()
    copies = max(0, sizes["responses"] - existing) // max(existing, 1)
    cursor.execute(
        """
        CREATE TEMP TABLE scale_responses AS
        SELECT r.id AS source, r.wave_id,
               nextval(pg_get_serial_sequence('surveys_response', 'id')) AS id
        FROM surveys_response r CROSS JOIN generate_series(1, %s) g WHERE r.id <= %s
        """,
        [copies, last],
    )
    cursor.execute(
        """
        INSERT INTO surveys_response (id, wave_id, shuffle_key, language)
        SELECT m.id, m.wave_id, (random() * 9e15)::bigint, r.language
        FROM scale_responses m JOIN surveys_response r ON r.id = m.source
        """,
        [],
    )
    cursor.execute(
        """
        INSERT INTO surveys_answer (response_id, wave_id, question_key, choice, text)
        SELECT m.id, a.wave_id, a.question_key, a.choice, ''
        FROM scale_responses m JOIN surveys_answer a ON a.response_id = m.source
        """,
        [],
    )
    cursor.execute("DROP TABLE scale_responses", [])


def stakeholders(cursor, sizes):
    cursor.execute(
        """
        INSERT INTO engagement_stakeholder (name, organisation, position, stakeholder_type,
            email, phone, address, preferred_channel, lawful_basis, consent_to_contact,
            newsletter_list, notes, interest, influence, assessed_on, last_engaged_on,
            next_action_due, created_at, updated_at)
        SELECT 'Contact ' || g, 'Organisation ' || (g %% 700), 'Manager',
               (SELECT stakeholder_type FROM engagement_stakeholder LIMIT 1),
               'contact' || g || '@partners.example.org', '', '',
               (SELECT preferred_channel FROM engagement_stakeholder LIMIT 1),
               (SELECT lawful_basis FROM engagement_stakeholder LIMIT 1), g %% 2 = 0, false, '',
               1 + g %% 5, 1 + (g / 5) %% 5, current_date - (g %% 400),
               current_date - (g %% 300), current_date + (g %% 60) - 20, now(), now()
        FROM generate_series(1, %s) g
        """,
        [sizes["stakeholders"]],
    )
    cursor.execute(
        """
        INSERT INTO engagement_stakeholderassessment (stakeholder_id, interest, influence,
            assessed_on, assessed_by_id, reason, created_at)
        SELECT s.id, 1 + (s.id + g) %% 5, 1 + (s.id * g) %% 5,
               current_date - g * 90, NULL, 'Quarterly review', now() - g * interval '90 days'
        FROM engagement_stakeholder s
        CROSS JOIN generate_series(1, %s) g
        WHERE s.email LIKE '%%@partners.example.org'
        """,
        [max(1, sizes["assessments"] // max(sizes["stakeholders"], 1))],
    )
    cursor.execute(
        """
        INSERT INTO engagement_engagement (mode, title, occurred_on, area_id, operation_id,
            place, attendance_count, streets, doors_knocked, conversations, issues_raised,
            actions_agreed, outcome, follow_up_action, created_at)
        SELECT e.mode, 'Visit ' || g, current_date - (g %% 700),
               (SELECT array_agg(id ORDER BY id) FROM engagement_area)[1 + g %% %s],
               e.operation_id, '', 10, '', 0, 0, '', '', '', '', now()
        FROM (SELECT * FROM engagement_engagement ORDER BY id LIMIT 1) e,
             generate_series(1, %s) g
        """,
        [sizes["areas"], sizes["engagements"]],
    )


def print_runs(cursor, sizes):
    cursor.execute(
        """
        CREATE TEMP TABLE scale_runs AS
        SELECT nextval(pg_get_serial_sequence('printing_printrun', 'id')) AS id, g,
               (SELECT id FROM printing_printrun ORDER BY id LIMIT 1) AS source
        FROM generate_series(1, %s) g
        """,
        [sizes["print_runs"]],
    )
    cursor.execute(
        """
        INSERT INTO printing_printrun (id, operation_id, area_id, template_id, format,
            quantity, per_household, qr_target, output, survey_wave_id, created_by_id,
            created_at, status, items_rendered, page_count, font_scale, pdf, rendered_at, error,
            language)
        SELECT m.id, r.operation_id, r.area_id, r.template_id, 'a5_leaflet_1', %s, true,
               'survey', r.output, w.id, r.created_by_id, now() - m.g * interval '1 hour', 'ready',
               %s, %s, 1, '', now(), '', r.language
        FROM scale_runs m JOIN printing_printrun r ON r.id = m.source
        CROSS JOIN (SELECT id FROM surveys_surveywave ORDER BY id LIMIT 1) w
        """,
        [sizes["codes"] // sizes["print_runs"]] * 3,
    )
    cursor.execute(
        """
        INSERT INTO printing_shortlink (code, print_run_id, scan_count)
        SELECT 'sc' || m.id, m.id, m.g %% 40 FROM scale_runs m
        """,
        [],
    )
    cursor.execute(
        """
        INSERT INTO surveys_responsecode (wave_id, code, print_run_id, issued_on, used, active)
        SELECT r.survey_wave_id, 'S' || lpad(r.id::text, 6, '0') || lpad(n::text, 6, '0'),
               r.id, current_date, n %% 7 = 0, true
        FROM scale_runs m JOIN printing_printrun r ON r.id = m.id
        CROSS JOIN generate_series(1, %s) n
        """,
        [sizes["codes"] // sizes["print_runs"]],
    )
    cursor.execute("DROP TABLE scale_runs", [])


def log_entries(cursor, sizes):
    cursor.execute("SELECT count(*), coalesce(max(id), 0) FROM wagtailcore_modellogentry")
    existing, last = cursor.fetchone()
    copies = max(0, sizes["log_entries"] - existing) // max(existing, 1)
    cursor.execute(
        """
        INSERT INTO wagtailcore_modellogentry (content_type_id, label, action, data, timestamp,
            uuid, user_id, revision_id, content_changed, deleted, object_id)
        SELECT content_type_id, label, action, data,
               timestamp - g * interval '40 minutes', gen_random_uuid(), user_id, NULL,
               content_changed, deleted, object_id
        FROM wagtailcore_modellogentry CROSS JOIN generate_series(1, %s) g WHERE id <= %s
        """,
        [copies, last],
    )


def jobs(cursor, sizes):
    cursor.execute(
        """
        INSERT INTO signpost_job (task, key, label, queue, args, kwargs, state, attempts,
            stall_seconds, queued_at, sent_at, heartbeat_at, finished_at, error)
        SELECT 'printing.print_run_render_part', 'scale-' || g, 'Print part ' || g, 'print',
               '[]'::jsonb, '{}'::jsonb, 'done', 1, 180, now() - g * interval '1 minute',
               now(), now(), now(), ''
        FROM generate_series(1, %s) g
        """,
        [sizes["jobs"]],
    )


STEPS = [areas, subscribers, deliveries, responses, stakeholders, print_runs, log_entries, jobs]


# --- Requesting the pages -----------------------------------------------------------


DOWNLOADS = "/admin/downloads/"


def shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(client, starts: list[str], prefix: str, depth: int, limit: int) -> list[str]:
    """One path of each shape reached from ``starts`` within ``depth`` clicks."""
    seen_shapes: set[str] = set()
    found: list[str] = []
    frontier = list(starts)
    for _ in range(depth + 1):
        following = []
        for path in frontier:
            if shape(path) in seen_shapes or SKIP.search(path.split("?")[0]):
                continue
            seen_shapes.add(shape(path))
            response = client.get(path)
            prepared = response.status_code == 302 and response["Location"] == DOWNLOADS
            if response.status_code != 200 and not prepared:
                continue
            # An export or a download is a page too, and so is an export prepared in the
            # background (the request that asks for it, answered with "Your downloads").
            found.append(path)
            if len(found) >= limit:
                return found
            if "html" not in response.get("Content-Type", ""):
                continue
            html = response.content.decode(errors="replace").replace("\\/", "/")
            following += [
                link.replace("&amp;", "&")
                for link in HREF.findall(html)
                if link.startswith(prefix) and not link.startswith("/static/")
            ]
        frontier = following
    return found


def signed_in_client(username: str):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.sign_in import second_factor_pass

    user = get_user_model().objects.get(username=username)
    client = Client()
    client.force_login(user)
    second_factor_pass(client, user)
    return client


def resident_posts() -> list[str]:
    """The resident's two POSTs, as entries ``POST <path>`` of the page list."""
    from django.urls import reverse

    from surveys.models import SurveyWave

    posts = [f"POST {reverse('newsletters:subscribe')}"]
    today = datetime.date.today()
    wave = (
        SurveyWave.objects.filter(requires_code=False, opens_on__lte=today, closes_on__gte=today)
        .order_by("id")
        .first()
    )
    if wave is not None:
        posts.append(f"POST /survey/{wave.slug}/")
    return posts


def post_data(path: str, attempt: int) -> dict:
    """A valid sign-up or a full set of survey answers, new each time."""
    from newsletters.subscribers.consent import CURRENT_WORDING_VERSION
    from surveys.blocks import questions_from_stream
    from surveys.models import SurveyWave

    if path.startswith("/survey/"):
        wave = SurveyWave.objects.select_related("survey").get(slug=path.split("/")[2])
        return {
            f"q_{question.key}": (
                "Fine"
                if not question.options
                else question.options[attempt % len(question.options)][0]
            )
            for question in questions_from_stream(wave.survey.questions)
        }
    return {
        "email": f"scale-{os.getpid()}-{attempt}-{time.time_ns()}@example.org",
        "postcode": "HB1 4AB",
        "consent": "on",
        "wording_version": CURRENT_WORDING_VERSION,
        "website": "",
    }


def measure(paths: list[str], repeat: int) -> dict:
    import django

    django.setup()
    from django.conf import settings

    # Served as in production, not as under test: with DEBUG on, each test-client request
    # leaves its template-capturing receiver in Django's signature cache (512 of them,
    # each holding every context it rendered), and the heap that grows from it makes a
    # full garbage collection cost a second every few dozen pages: a stall that is the
    # bench's, not Signpost's. Mail stays in memory; the queries are counted regardless.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    written = bench_writes_mark()
    try:
        return _measured(paths, repeat)
    finally:
        bench_writes_undo(written)  # a round that fails leaves the database as built


def _measured(paths: list[str], repeat: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    admin = signed_in_client("admin")
    # As a web worker runs (deploy/gunicorn.conf.py): the loaded code frozen out of
    # the garbage collector's full passes.
    admin.get("/admin/")
    gc.freeze()
    results = {}
    for entry in paths:
        times, downloads, queries, status = [], [], [], None
        method, _, path = entry.rpartition(" ")
        for attempt in range(repeat + 1):
            # Each POST from an address of its own, as many residents are (rate limits).
            resident = Client(REMOTE_ADDR=f"10.{attempt}.{os.getpid() % 250}.{len(results) % 250}")
            if method == "POST":
                resident.get(path)
            connection.queries_log.clear()  # it keeps 9,000: a full log counts nothing new
            # A full collection falls every so many allocations: on whichever page comes
            # next, the same one each round. Collected beforehand, a page pays for its own.
            gc.collect()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if method == "POST":
                    response = resident.post(path, post_data(path, attempt))
                elif path.startswith("/admin/"):
                    response = admin.get(path)
                else:
                    response = resident.get(path)
                elapsed = time.perf_counter() - started
                if response.streaming:
                    # A streamed download's server time is to its first bytes (what the
                    # officer waits for before the download starts); the whole download,
                    # which grows with its rows as it must, is kept beside it.
                    chunks = iter(response.streaming_content)
                    next(chunks, b"")
                    elapsed = time.perf_counter() - started
                    for _chunk in chunks:
                        pass
                    downloads.append(time.perf_counter() - started)
            status = response.status_code
            if attempt:
                times.append(elapsed)
                queries.append(len(captured))
        results[entry] = {
            "ms": statistics.median(times) * 1000,
            "download_ms": statistics.median(downloads) * 1000 if downloads else None,
            "queries": max(queries),
            "status": status,
        }
    return results


# What the pages write that other pages list: the audit log (an export is logged, and
# so is a sign-up), prepared exports and their jobs. Left in place, the second round's
# site history and downloads would list the first round's exports, which the force's size
# prepares in the background and the hundredth's writes inline: a difference of the
# bench's own making. Each round removes what it wrote, so every round (and both sizes)
# reads the database as it was built.
def _written_models():
    from signpost.models import Job, PreparedExport
    from wagtail.models import ModelLogEntry, PageLogEntry

    return [ModelLogEntry, PageLogEntry, PreparedExport, Job]


def bench_writes_mark() -> dict:
    from django.db.models import Max

    return {
        model: model.objects.aggregate(last=Max("pk"))["last"] or 0 for model in _written_models()
    }


def bench_writes_undo(mark: dict) -> None:
    """Remove the rows written since ``mark``, and the prepared exports' stored files."""
    from signpost.models import PreparedExport

    for export in PreparedExport.objects.filter(pk__gt=mark[PreparedExport]).exclude(file=""):
        export.file.delete(save=False)
    for model, last in mark.items():
        model.objects.filter(pk__gt=last).delete()


def discover() -> list[str]:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    written = bench_writes_mark()
    try:
        admin = signed_in_client("admin")
        paths = crawl(admin, ["/admin/"], "/admin/", depth=2, limit=400)
        paths += crawl(Client(), ["/"], "/", depth=2, limit=120)
        paths += resident_posts()
    finally:
        bench_writes_undo(written)  # a subscriber's data export, for one, is logged
    return list(dict.fromkeys(paths))


# --- The run ------------------------------------------------------------------------


def child(mode: str, url: str, *args: str) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "signpost.settings.dev",
        # A cache, mail and private files of each database's own: a figure cached from
        # one size is never served to the other.
        "SIGNPOST_VAR_DIR": str(ROOT / "var" / url.rsplit("/", 1)[1]),
        "CELERY_TASK_ALWAYS_EAGER": "1",
        "SIGNPOST_SCALE_CHILD": mode,
    }
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"{mode} on {url} failed")
    return result.stdout


def ensure_database(url: str, size: str, factor: float, rebuild: bool) -> str:
    import psycopg

    name = database_name(url, size)
    target = database_url(url, size)
    admin_url = f"{url.rsplit('/', 1)[0]}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        built = False
        if exists and not rebuild:
            with psycopg.connect(target) as db:
                built = (
                    db.execute(
                        "SELECT 1 FROM information_schema.tables WHERE table_name = 'scale_built'"
                    ).fetchone()
                    and db.execute(
                        "SELECT 1 FROM scale_built WHERE factor = %s", [factor]
                    ).fetchone()
                )
        if built:
            # Built by earlier code: bring its schema up to this code's migrations.
            child("migrate", target)
            return target
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    print(f"building {name} (factor {factor:g})", flush=True)
    sys.stdout.write(child("build", target, "--factor", str(factor)))
    with psycopg.connect(target, autocommit=True) as db:
        db.execute("CREATE TABLE scale_built (factor float)")
        db.execute("INSERT INTO scale_built VALUES (%s)", [factor])
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--factor", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--only", default="", help="measure only paths matching this")
    parser.add_argument("--build-only", action="store_true", help="build, measure nothing")
    parser.add_argument("--child", default="")
    parser.add_argument("--paths", default="")
    args = parser.parse_args()

    if args.child == "build":
        build(args.factor)
        return
    if args.child == "migrate":
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return
    if args.child == "discover":
        print(json.dumps(discover()))
        return
    if args.child == "measure":
        print(json.dumps(measure(json.loads(Path(args.paths).read_text()), args.repeat)))
        return

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL=postgres://… (the databases are made beside it).")
    large = ensure_database(url, "large", args.factor, args.rebuild)
    small = ensure_database(url, "small", args.factor / 100, args.rebuild)
    if args.build_only:
        return
    paths = json.loads(child("discover", small))
    if args.only:
        paths = [path for path in paths if re.search(args.only, path)]
    # What writes what other pages list (an export, the resident's POSTs) comes last in a
    # round, so no page is measured over rows the bench itself has just added.
    paths.sort(key=lambda path: ("export=" in path, path.startswith("POST ")))
    listing = ROOT / "var" / "scale-paths.json"
    listing.parent.mkdir(exist_ok=True)
    listing.write_text(json.dumps(paths))
    # Rounds that alternate the sizes, so a machine busier in one minute than the next
    # weighs on both alike; each round warms every page once before timing it.
    rounds = {"small": [], "large": []}
    for _ in range(args.repeat):
        for size, target in (("small", small), ("large", large)):
            # Within a round each page is timed three times after its warm-up, and the
            # round keeps the median: one slow moment of the machine's is not a page's.
            out = child("measure", target, "--paths", str(listing), "--repeat", "3")
            rounds[size].append(json.loads(out.strip().splitlines()[-1]))
    timed = {
        size: {
            path: {
                "ms": statistics.median(r[path]["ms"] for r in results),
                "queries": max(r[path]["queries"] for r in results),
                "download_ms": statistics.median(r[path]["download_ms"] or 0 for r in results),
                "status": results[-1][path]["status"],
            }
            for path in paths
        }
        for size, results in rounds.items()
    }

    print(f"\n{len(paths)} pages, median of {args.repeat}, factor {args.factor:g} vs 1/100\n")
    print("| page | small ms | large ms | growth | queries small | queries large |")
    print("|---|---|---|---|---|---|")
    rows = []
    for path in paths:
        s, big = timed["small"][path], timed["large"][path]
        growth = big["ms"] / s["ms"] if s["ms"] else float("inf")
        rows.append((growth, path, s, big))
    for growth, path, s, big in sorted(rows, reverse=True):
        flag = "" if s["status"] == big["status"] == 200 else f" ({s['status']}/{big['status']})"
        print(
            f"| `{path}`{flag} | {s['ms']:.0f} | {big['ms']:.0f} | {growth:.2f}× "
            f"| {s['queries']} | {big['queries']} |"
        )
    streamed = [(path, s, big) for _g, path, s, big in rows if big["download_ms"]]
    if streamed:
        print("\nStreamed downloads: the whole download (ms), beside its first bytes above\n")
        print("| download | small ms | large ms |")
        print("|---|---|---|")
        for path, s, big in sorted(streamed, key=lambda r: -r[2]["download_ms"]):
            print(f"| `{path}` | {s['download_ms']:.0f} | {big['download_ms']:.0f} |")
    worst = max(rows)
    differing = [path for _g, path, s, big in rows if s["queries"] != big["queries"]]
    print(f"\nworst growth: {worst[0]:.2f}× on {worst[1]}")
    print(f"query counts differing between sizes: {len(differing)}")
    for path in differing:
        print(f"  {path}: {timed['small'][path]['queries']} → {timed['large'][path]['queries']}")


if __name__ == "__main__":
    if os.environ.get("SIGNPOST_SCALE_CHILD"):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "signpost.settings.dev")
    main()
