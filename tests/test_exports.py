"""The exports stream: the same files as before, in flat memory and a fixed number of
queries whatever the number of rows."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from signpost.exports import (
    NeutralisedExportMixin,
    csv_response,
    neutralise_cell,
    xlsx_response,
)
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page

from newsletters.subscribers.views import SubscriberIndexView
from tests.downloads import downloaded
from tests.factories import AreaFactory
from tests.newsletters.factories import SubscriberFactory

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_rows(file) -> list[list[str]]:
    """The rows of a CSV file, given as its bytes or as the response streaming it."""
    content = file if isinstance(file, bytes) else body(file)
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def sheet_rows(file) -> list[tuple]:
    content = file if isinstance(file, bytes) else body(file)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as captured:
        fetch()
    return len(captured)


def test_the_helpers_stream_neutralised_cells_from_a_generator():
    consumed = []

    def rows():
        for n in range(3000):  # more than one 64 KB piece
            consumed.append(n)
            yield [f"=cmd{n}", n, "x" * 30]

    response = csv_response("a.csv", ["=head", "n", "pad"], rows())
    # Nothing is read before the download starts: the rows arrive as it streams.
    assert response.streaming and consumed == []
    assert response["Content-Disposition"] == 'attachment; filename="a.csv"'
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    parsed = csv_rows(response)
    assert parsed[0] == ["'=head", "n", "pad"]
    assert parsed[1] == ["'=cmd0", "0", "x" * 30]
    assert len(parsed) == 3001

    workbook = xlsx_response(
        "b.xlsx", ["=head", "n"], ([f"+{n}", n] for n in range(5)), sheet_title="A/B: [x]"
    )
    assert workbook["Content-Disposition"] == 'attachment; filename="b.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(body(workbook))).active
    assert sheet.title == "A B   x "
    assert [tuple(c.value for c in row) for row in sheet.iter_rows()] == [
        ("'=head", "n"),
        *[(f"'+{n}", n) for n in range(5)],
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_subscriber_export_is_wagtails_file_streamed(client, comms_officer, monkeypatch, fmt):
    """Columns, headings and cells as Wagtail's own export wrote them (neutralised): the
    file prepared for the officer against Wagtail's own, written inline."""
    area = AreaFactory(slug="east", name="=East")
    SubscriberFactory(area=area, name="=HYPERLINK(1)")
    SubscriberFactory.create_batch(4, area=area)
    client.force_login(comms_officer)
    read = csv_rows if fmt == "csv" else sheet_rows
    url = f"/admin/newsletters/subscribers/?export={fmt}"
    streamed = read(downloaded(client, url))
    for name in ("stream_csv", "write_xlsx", "write_xlsx_response", "get_preprocess_function"):
        monkeypatch.delattr(NeutralisedExportMixin, name)
    monkeypatch.setattr(SubscriberIndexView, "export_always_prepared", False)
    assert streamed == read(client.get(url))
    assert len(streamed) == 6
    assert list(streamed[0][:4]) == ["Email", "Name", "Postcode", "Area"]
    assert "'=HYPERLINK(1)" in {row[1] for row in streamed}


@pytest.fixture
def history(superuser):
    """Entries of both log models, by a user with a full name, one with none, a deleted
    user and the system."""
    User = get_user_model()
    named = User.objects.create_user("named", first_name="Nadia", last_name="Ahmed")
    bare = User.objects.create_user("bare")
    gone = User.objects.create_user("gone")

    users = [named, bare, gone, None]

    def add(n: int):
        for i in range(n):
            number = ModelLogEntry.objects.count()
            area = AreaFactory(name=f"=Area {number}", slug=f"a{number}")
            log(area, "wagtail.create", user=users[i % len(users)])
        log(Page.objects.get(depth=2), "wagtail.edit", user=superuser)

    add(4)
    gone_id = gone.pk
    gone.delete()
    users.remove(gone)
    return add, gone_id


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_site_history_export_is_wagtails_file_from_one_query(client, superuser, history, fmt):
    add, gone_id = history
    client.force_login(superuser)
    read = csv_rows if fmt == "csv" else sheet_rows
    url = f"/admin/reports/site-history/?export={fmt}"
    streamed = read(downloaded(client, url))

    # Wagtail's own export, its cells neutralised as every export of ours is (Wagtail's
    # leaves a name such as "=Area 0" to be run as a formula).
    request = RequestFactory().get(url)
    request.user = superuser
    wagtails = [
        [neutralise_cell(cell) for cell in row] for row in read(LogEntriesView.as_view()(request))
    ]
    assert [list(row) for row in streamed] == wagtails
    users = {row[4] for row in streamed[1:]}
    assert {"Nadia Ahmed", "bare", f"user {gone_id} (deleted)", "system"} <= users
    assert "'=Area 0" in {row[1] for row in streamed[1:]}
    assert len(streamed) == 1 + ModelLogEntry.objects.count() + 1  # and the page's entry

    few = count_queries(lambda: downloaded(client, url))  # asked, prepared and downloaded
    add(30)
    assert count_queries(lambda: downloaded(client, url)) == few


def test_the_site_history_export_keeps_its_filters(client, superuser, history):
    client.force_login(superuser)
    rows = csv_rows(
        downloaded(client, "/admin/reports/site-history/?action=wagtail.edit&export=csv")
    )
    assert [row[3] for row in rows[1:]] == ["Edit"]


def test_the_site_history_export_is_for_admin_users_only(client, history):
    for fmt in ("csv", "xlsx"):
        refused = client.get(f"/admin/reports/site-history/?export={fmt}")
        assert refused.status_code == 302 and "/login/" in refused["Location"]
