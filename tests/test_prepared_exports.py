"""A register's export, and any export too large for a request, is prepared by a worker
and downloaded from "Your downloads": the same file as the inline export, for the user who
asked only, while they still may have it."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import timezone
from signpost import roles, tasks
from signpost.exports import NeutralisedExportMixin
from signpost.models import Job, PreparedExport
from signpost.site_history import SiteHistoryView
from signpost.storage import private_storage
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from engagement.models import MediaEnquiry
from engagement.stakeholders.viewsets import StakeholderIndexView
from newsletters.subscribers.views import SubscriberIndexView
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory
from tests.newsletters.factories import SubscriberFactory
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db

SUBSCRIBERS = "/admin/newsletters/subscribers/"
MEDIA_ENQUIRIES = "/admin/snippets/engagement/mediaenquiry/"
DOWNLOADS = "/admin/downloads/"
# The registers that grow with the force: their exports are prepared at every size.
REGISTERS = [
    SUBSCRIBERS,
    "/admin/engagement/stakeholders/",
    "/admin/engagement/stakeholders/?overdue=true",
    "/admin/engagement/log/",
    "/admin/reports/site-history/",
]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def read(content: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8"))))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


@pytest.fixture
def bound(settings):
    settings.SIGNPOST_EXPORT_INLINE_ROWS = 3
    return settings


@pytest.fixture
def register():
    area = AreaFactory(slug="east", name="=East")
    SubscriberFactory(area=area, name="=HYPERLINK(1)", postcode="EA1 1AA")
    SubscriberFactory.create_batch(5, area=area, postcode="EA1 1AA")
    SubscriberFactory.create_batch(2, postcode="ZZ9 9ZZ")


def request_export(client, url, django_capture_on_commit_callbacks):
    """Ask for an export; its build (an eager task) runs as the request commits."""
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(url)


def inline(client, url, settings, monkeypatch=None, view=None) -> bytes:
    """The export written within the request, as a listing within the bound writes it (a
    register's view told to, for the comparison)."""
    settings.SIGNPOST_EXPORT_INLINE_ROWS = 1_000_000
    if view is not None:
        monkeypatch.setattr(view, "export_always_prepared", False)
    response = client.get(url)
    assert response.streaming  # written within the request, as before
    return body(response)


def stored_files(export) -> list[str]:
    folder = f"exports/{export.pk}"
    return private_storage().listdir(folder)[1] if private_storage().exists(folder) else []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_register_export_is_prepared_with_the_same_filters_and_rows_as_inline(
    client, comms_officer, settings, register, django_capture_on_commit_callbacks, monkeypatch, fmt
):
    client.force_login(comms_officer)
    url = f"{SUBSCRIBERS}?export={fmt}&q=EA1&ordering=-name"
    response = request_export(client, url, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == DOWNLOADS

    export = PreparedExport.objects.get()
    assert (export.user, export.status, export.row_count) == (comms_officer, "ready", 6)
    assert export.filename.endswith(f".{fmt}")
    page = client.get(DOWNLOADS)
    assert b"the file is being prepared" in page.content  # the message shown on arrival
    assert f"/admin/downloads/{export.pk}/".encode() in page.content

    download = client.get(f"/admin/downloads/{export.pk}/")
    assert download.status_code == 200
    assert {"private", "no-store"} <= set(download["Cache-Control"].split(", "))
    prepared = read(body(download), fmt)
    assert prepared == read(inline(client, url, settings, monkeypatch, SubscriberIndexView), fmt)
    assert len(prepared) == 1 + 6  # the heading and the filtered rows only
    assert "'=HYPERLINK(1)" in {row[1] for row in prepared}  # neutralised here too
    assert [row[1] for row in prepared[1:]] == sorted(
        (row[1] for row in prepared[1:]), reverse=True
    )


def enquiries(count: int):
    now = timezone.now()
    for number in range(count):
        MediaEnquiry.objects.create(
            outlet=f"=Outlet {number}",
            journalist="Sam Whitley",
            question="How many arrests were made?",
            received_at=now - datetime.timedelta(hours=number + 1),
            deadline=now + datetime.timedelta(hours=3),
        )


def test_a_short_listing_within_the_bound_downloads_at_once(client, comms_officer, bound):
    enquiries(3)
    client.force_login(comms_officer)
    response = client.get(f"{MEDIA_ENQUIRIES}?export=csv")
    assert response.status_code == 200 and response.streaming
    assert len(read(body(response), "csv")) == 4
    assert not PreparedExport.objects.exists()


def test_a_short_listing_past_the_bound_is_prepared_as_it_would_have_been_written(
    client, comms_officer, bound, django_capture_on_commit_callbacks
):
    enquiries(5)
    client.force_login(comms_officer)
    url = f"{MEDIA_ENQUIRIES}?export=csv&ordering=outlet"
    response = request_export(client, url, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and response["Location"] == DOWNLOADS
    assert b"too many rows to download at once" in client.get(DOWNLOADS).content
    export = PreparedExport.objects.get()
    with export.file.open("rb") as handle:
        prepared = read(handle.read(), "csv")
    assert prepared == read(inline(client, url, bound), "csv")
    outlet = prepared[0].index("Outlet")
    assert [row[outlet] for row in prepared[1:]] == [f"'=Outlet {n}" for n in range(5)]


@pytest.mark.parametrize("register_url", REGISTERS)
def test_a_registers_export_is_prepared_however_few_its_rows(
    client, superuser, register_url, django_capture_on_commit_callbacks
):
    """The registers that grow with the force answer the same way at 3 rows as at
    300,000, and a request that asks costs the same whatever the register holds."""
    SubscriberFactory.create_batch(3)
    StakeholderFactory.create_batch(3)
    client.force_login(superuser)
    joiner = "&" if "?" in register_url else "?"
    response = request_export(
        client, f"{register_url}{joiner}export=csv", django_capture_on_commit_callbacks
    )
    assert response.status_code == 302 and response["Location"] == DOWNLOADS
    export = PreparedExport.objects.get()
    assert (export.user, export.status) == (superuser, "ready")
    assert b"the file is being prepared" in client.get(DOWNLOADS).content
    download = client.get(f"/admin/downloads/{export.pk}/")
    assert len(read(body(download), "csv")) == 1 + export.row_count


def test_the_request_is_logged_and_the_requester_emailed_a_link_without_data(
    client, comms_officer, bound, register, django_capture_on_commit_callbacks
):
    client.force_login(comms_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(f"{SUBSCRIBERS}?export=csv")
    # The worker was busy: the file is ready more than a minute after it was asked for.
    PreparedExport.objects.update(requested_at=timezone.now() - datetime.timedelta(minutes=2))
    for callback in callbacks:
        callback()
    export = PreparedExport.objects.get()
    assert export.status == "ready"
    entry = ModelLogEntry.objects.get(action="signpost.export.prepare")
    assert entry.user == comms_officer and entry.object_id == str(export.pk)
    assert entry.data == {"listing": export.url_name, "query": "export=csv", "format": "csv"}
    assert export.url_name == "newsletters_subscribers:index"
    (message,) = mail.outbox
    assert message.to == [comms_officer.email]
    assert "http://testserver/admin/downloads/" in message.body
    assert "resident" not in message.body and "HYPERLINK" not in message.body


def test_an_export_ready_within_the_minute_sends_no_email(
    client, comms_officer, register, django_capture_on_commit_callbacks
):
    """The officer is on "Your downloads", which shows it: an email would only repeat it."""
    client.force_login(comms_officer)
    request_export(client, f"{SUBSCRIBERS}?export=csv", django_capture_on_commit_callbacks)
    assert PreparedExport.objects.get().status == "ready"
    assert not mail.outbox


def test_only_the_requester_may_download(
    client, comms_officer, make_user, superuser, bound, register, django_capture_on_commit_callbacks
):
    client.force_login(comms_officer)
    request_export(client, f"{SUBSCRIBERS}?export=csv", django_capture_on_commit_callbacks)
    export = PreparedExport.objects.get()
    url = f"/admin/downloads/{export.pk}/"

    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]

    for other in (make_user(roles.COMMUNICATIONS_OFFICER, username="other-officer"), superuser):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert url.encode() not in client.get(DOWNLOADS).content


def test_a_user_who_lost_the_permission_is_refused_the_file(
    client, make_user, bound, register, django_capture_on_commit_callbacks
):
    officer = make_user(roles.COMMUNICATIONS_OFFICER)
    client.force_login(officer)
    request_export(client, f"{SUBSCRIBERS}?export=csv", django_capture_on_commit_callbacks)
    export = PreparedExport.objects.get(status="ready")
    # Those the listing itself asks for (Wagtail's: any of add, change, delete or view).
    assert "newsletters.view_subscriber" in export.permissions
    # Moved to a role that uses the admin but may not see the register.
    officer.groups.clear()
    officer.groups.add(Group.objects.get(name=roles.NEIGHBOURHOOD_TEAM))
    officer = type(officer).objects.get(pk=officer.pk)  # permissions read afresh
    client.force_login(officer)
    assert_refused(client.get(f"/admin/downloads/{export.pk}/"))


def test_a_user_who_lost_the_permission_before_the_build_gets_no_file(
    client, comms_officer, bound, register, django_capture_on_commit_callbacks
):
    client.force_login(comms_officer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.get(f"{SUBSCRIBERS}?export=csv")
    comms_officer.groups.clear()
    for callback in callbacks:
        callback()
    export = PreparedExport.objects.get()
    assert export.status == "failed" and not export.file
    assert export.error == "You no longer have permission to export this listing."
    assert stored_files(export) == []


def test_a_failing_build_is_marked_failed_with_a_reason_and_leaves_no_file(
    client, comms_officer, bound, register, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(self, queryset):
        yield "Email,Name\n"
        raise ValueError("a column could not be read")

    monkeypatch.setattr(NeutralisedExportMixin, "stream_csv", broken)
    client.force_login(comms_officer)
    request_export(client, f"{SUBSCRIBERS}?export=csv", django_capture_on_commit_callbacks)
    export = PreparedExport.objects.get()
    assert export.status == "failed" and not export.file and export.row_count is None
    assert "could not be prepared" in export.error
    assert stored_files(export) == []
    assert b"could not be prepared" in client.get(DOWNLOADS).content
    assert client.get(f"/admin/downloads/{export.pk}/").status_code == 404
    assert not mail.outbox


def test_a_build_resumed_after_dying_writes_the_file_once(
    client, comms_officer, bound, register, django_capture_on_commit_callbacks
):
    client.force_login(comms_officer)
    with django_capture_on_commit_callbacks(execute=False):
        client.get(f"{SUBSCRIBERS}?export=csv")
    export = PreparedExport.objects.get()
    # A worker died after storing part of a file and before saying it was ready.
    PreparedExport.objects.filter(pk=export.pk).update(status="running")
    private_storage().save(f"exports/{export.pk}/{export.filename}", io.BytesIO(b"Email\npart"))

    tasks.prepared_export_build(export.pk)
    tasks.prepared_export_build(export.pk)  # a second delivery of the same message

    export.refresh_from_db()
    assert (export.status, export.row_count) == ("ready", 8)
    assert stored_files(export) == [export.filename]
    with export.file.open("rb") as handle:
        assert len(read(handle.read(), "csv")) == 1 + 8


def test_expired_exports_and_their_files_are_deleted(
    client, comms_officer, bound, register, django_capture_on_commit_callbacks
):
    client.force_login(comms_officer)
    request_export(client, f"{SUBSCRIBERS}?export=csv", django_capture_on_commit_callbacks)
    request_export(client, f"{SUBSCRIBERS}?export=xlsx", django_capture_on_commit_callbacks)
    expired, kept = PreparedExport.objects.order_by("pk")
    PreparedExport.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.get(f"/admin/downloads/{expired.pk}/").status_code == 404

    assert tasks.prepared_exports_delete_expired() == 1
    assert list(PreparedExport.objects.all()) == [kept]
    assert stored_files(expired) == []
    assert stored_files(kept) == [kept.filename]


def test_the_downloads_page_reloads_while_an_export_is_prepared(
    client, comms_officer, bound, register
):
    client.force_login(comms_officer)
    client.get(f"{SUBSCRIBERS}?export=csv")  # its build not yet run
    page = client.get(DOWNLOADS)
    # Soon while it was asked for just now, as a small register is ready within seconds.
    assert b"Waiting" in page.content and b'http-equiv="refresh" content="2"' in page.content
    PreparedExport.objects.update(requested_at=timezone.now() - datetime.timedelta(minutes=2))
    assert b'http-equiv="refresh" content="10"' in client.get(DOWNLOADS).content
    PreparedExport.objects.update(status="ready")
    assert b'http-equiv="refresh"' not in client.get(DOWNLOADS).content
    assert b"/admin/downloads/" in client.get("/admin/").content  # in the Reports menu


def test_a_stakeholder_register_is_prepared_with_the_columns_the_user_may_see(
    client, comms_officer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    StakeholderFactory.create_batch(4)
    StakeholderFactory(name="=cmd|' /C calc'!A0")
    client.force_login(comms_officer)
    url = "/admin/engagement/stakeholders/?export=xlsx"
    assert request_export(client, url, django_capture_on_commit_callbacks).status_code == 302
    export = PreparedExport.objects.get()
    with export.file.open("rb") as handle:
        prepared = read(handle.read(), "xlsx")
    assert prepared == read(
        inline(client, url, settings, monkeypatch, StakeholderIndexView), "xlsx"
    )
    assert len(prepared) == 6
    assert "'=cmd|' /C calc'!A0" in {row[0] for row in prepared}


def test_a_site_history_is_prepared_from_the_entries_the_user_may_see(
    client, superuser, settings, monkeypatch, django_capture_on_commit_callbacks
):
    for number in range(5):
        log(AreaFactory(name=f"=Area {number}", slug=f"a{number}"), "wagtail.create")
    client.force_login(superuser)
    url = "/admin/reports/site-history/?export=csv"
    assert request_export(client, url, django_capture_on_commit_callbacks).status_code == 302
    export = PreparedExport.objects.get()
    with export.file.open("rb") as handle:
        prepared = read(handle.read(), "csv")
    assert prepared == read(inline(client, url, settings, monkeypatch, SiteHistoryView), "csv")
    assert export.row_count == len(prepared) - 1 >= 5


def test_a_site_history_prepared_for_a_role_holds_only_the_entries_it_may_see(
    client, neighbourhood_officer, superuser, django_capture_on_commit_callbacks
):
    """The worker reads the log as the user who asked: a neighbourhood officer, who may
    not open the subscriber register, gets no subscriber's entry in the file either."""
    log(AreaFactory(name="Eastfield", slug="eastfield"), "wagtail.create")
    log(SubscriberFactory(email="hidden@example.org"), "wagtail.create")
    client.force_login(neighbourhood_officer)
    listing = client.get("/admin/reports/site-history/")
    assert listing.status_code == 200
    assert "hidden@example.org" not in listing.content.decode()
    url = "/admin/reports/site-history/?export=csv"
    assert request_export(client, url, django_capture_on_commit_callbacks).status_code == 302
    export = PreparedExport.objects.get()
    assert (export.user, export.status) == (neighbourhood_officer, "ready")
    with export.file.open("rb") as handle:
        content = handle.read().decode()
    assert "Eastfield" in content
    assert "hidden@example.org" not in content and "Subscriber" not in content
    # The same export for a user who may see subscribers holds the entry.
    client.force_login(superuser)
    request_export(client, url, django_capture_on_commit_callbacks)
    with PreparedExport.objects.get(user=superuser).file.open("rb") as handle:
        assert "Subscriber" in handle.read().decode()


def test_an_export_whose_job_the_ledger_gave_up_on_is_marked_failed(
    client, comms_officer, bound, register, django_capture_on_commit_callbacks
):
    client.force_login(comms_officer)
    with django_capture_on_commit_callbacks(execute=False):
        client.get(f"{SUBSCRIBERS}?export=csv")
        client.get(f"{SUBSCRIBERS}?export=xlsx")
    given_up, running = PreparedExport.objects.order_by("pk")
    PreparedExport.objects.update(status="running")
    # Killed mid-build five times: the ledger fails the first job (signpost.jobs).
    Job.objects.filter(label=f"Export: {given_up}").update(state=Job.State.FAILED)

    tasks.prepared_exports_delete_expired()
    given_up.refresh_from_db()
    running.refresh_from_db()
    assert (given_up.status, running.status) == ("failed", "running")
    assert "stopped part-way too many times" in given_up.error
