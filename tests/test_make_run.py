"""`make run`: the demo accounts it prints, the address it serves on, the three processes
it starts and stops together, and the development mailbox in the admin."""

import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.test import RequestFactory
from signpost.models import HomePage, InitiativeSettings, Job
from wagtail.models import Revision, Site

from engagement.press.models import CommunicationPlanPage
from newsletters.models import Subscriber
from tests.conftest import ensure_migrated_data

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_the_demo_accounts_table_lists_every_demo_user_and_the_site_follows_the_port(settings):
    settings.DEBUG = True
    settings.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8080"
    out = io.StringIO()
    call_command("load_demo_data", "--print-users", stdout=out)
    table = out.getvalue().split("Demo accounts (development only):")[1].strip().splitlines()[1:]
    rows = [line.split(None, 2) for line in table]
    usernames = {username for username, _password, _role in rows}
    assert usernames == set(get_user_model().objects.values_list("username", flat=True))
    assert ["spokesperson", "signpost-spokesperson", "Approver (spokesperson)"] in rows
    for username, password, _role in rows:
        request = RequestFactory().post("/admin/login/")
        assert authenticate(request, username=username, password=password), username
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8080)
    assert site.root_url == "http://127.0.0.1:8080"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dev_env(tmp_path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="signpost.settings.dev",
        SIGNPOST_VAR_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
    )
    return env


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_rundev_starts_web_worker_and_beat_and_stops_every_process_on_sigterm(tmp_path):
    port = free_port()
    supervisor = subprocess.Popen(
        [sys.executable, "manage.py", "rundev", "--port", str(port)],
        cwd=ROOT,
        env=dev_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    pid_file = tmp_path / "rundev.json"
    try:
        deadline = time.monotonic() + 240
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        children = json.loads(pid_file.read_text())
        assert set(children) == {"web", "worker", "beat"}
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(1)
        else:
            pytest.fail("the web server never listened")
        assert all(group_alive(pid) for pid in children.values())
        # The autoreloader's server runs in a second process of the web server's group.
        supervisor.send_signal(signal.SIGTERM)
        output, _ = supervisor.communicate(timeout=90)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    assert supervisor.returncode == 0, output
    assert "Stopped the web server, the worker and beat." in output
    assert "worker | " in output and "beat   | " in output
    assert not any(group_alive(pid) for pid in children.values()), output
    assert not pid_file.exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_rundev_names_a_busy_port_and_starts_nothing(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "manage.py", "rundev", "--port", str(port)],
            cwd=ROOT,
            env=dev_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert f"Something is already listening on 127.0.0.1:{port}" in result.stderr
    assert f"make run PORT={port + 80}" in result.stderr
    assert not (tmp_path / "rundev.json").exists()


# --- The development mailbox in the admin ------------------------------------------------


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "signpost.dev_mail.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    EmailMessage("Confirm your email updates", "Press <this> link.", to=["sam@example.org"]).send()
    return tmp_path / "mail"


@pytest.mark.django_db
def test_a_superuser_reads_the_outgoing_mail_in_the_admin(client, superuser, mailbox):
    client.force_login(superuser)
    listing = client.get("/admin/outgoing-mail/").content.decode()
    assert "sam@example.org" in listing and "Confirm your email updates" in listing
    (name,) = [p.name for p in mailbox.glob("*.eml")]
    assert f"/admin/outgoing-mail/{name}/" in listing
    message = client.get(f"/admin/outgoing-mail/{name}/").content.decode()
    assert "Press &lt;this&gt; link." in message  # shown, never run as markup
    raw = client.get(f"/admin/outgoing-mail/{name}/", {"format": "raw"})
    assert b"To: sam@example.org" in raw.content
    assert client.get("/admin/outgoing-mail/..%2Fdb.sqlite3/").status_code == 404
    assert "Outgoing mail (development)" in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_only_superusers_see_the_outgoing_mail(client, comms_officer, mailbox):
    client.force_login(comms_officer)
    (name,) = [p.name for p in mailbox.glob("*.eml")]
    for url in ("/admin/outgoing-mail/", f"/admin/outgoing-mail/{name}/"):
        response = client.get(url)
        # The admin turns a refusal into a redirect to the dashboard, with a message.
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
        assert b"sam@example.org" not in response.content
    assert "Outgoing mail" not in client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_without_the_file_mailbox_there_is_no_outgoing_mail_page(client, superuser):
    # The test settings send through anymail's test backend, as production sends to the ESP.
    client.force_login(superuser)
    response = client.get("/admin/outgoing-mail/")
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert "Outgoing mail" not in client.get("/admin/").content.decode()


# Committed for real, as `make run` commits: the jobs queued while loading run on commit.
@pytest.mark.django_db(transaction=True)
def test_make_run_twice_keeps_what_people_changed_and_sends_no_email(settings, mailoutbox):
    """`make run` loads the demo on every start: the second start adds what is missing and
    leaves edited pages and settings alone; neither start emails anyone, then or later."""
    settings.DEBUG = True
    ensure_migrated_data()  # the roles and home page, after an earlier test's flush
    call_command("load_demo_data", stdout=io.StringIO())
    assert mailoutbox == []
    # The demo's history happened (releases went to the media, the report's notice was
    # recorded) without a message leaving, and no job is left to send one later.
    assert not Job.objects.exclude(state=Job.State.DONE).exists()

    home = HomePage.objects.get(locale__language_code="en-gb")
    home.introduction = "Our own words about the initiative."
    home.save_revision().publish()
    initiative = InitiativeSettings.for_site(Site.objects.get(is_default_site=True))
    initiative.strapline = "Our own strapline"
    initiative.save()
    plan = CommunicationPlanPage.objects.get()
    plan.aim = "The aim we agreed."
    plan.save_revision().publish()
    Subscriber.objects.filter(email__startswith="aisha.eastfield0").delete()
    revisions = Revision.objects.count()

    call_command("load_demo_data", stdout=io.StringIO())

    assert (
        HomePage.objects.get(locale__language_code="en-gb").introduction
        == "Our own words about the initiative."
    )
    assert CommunicationPlanPage.objects.get().aim == "The aim we agreed."
    initiative.refresh_from_db()
    assert initiative.strapline == "Our own strapline"
    # Nothing was saved or published again; what was missing is back.
    assert Revision.objects.count() == revisions
    assert Subscriber.objects.filter(email__startswith="aisha.eastfield0").exists()
    assert mailoutbox == []
