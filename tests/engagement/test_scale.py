"""Force-wide scale (issue #31): the engagement pages run the same number of queries
with thirty times the data, draw a bounded part of it, and say truly what they leave out."""

import csv
import datetime
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from signpost import exports

from engagement.models import (
    Activity,
    ConcernTheme,
    Engagement,
    MediaEnquiry,
    Stakeholder,
    StakeholderAssessment,
)
from engagement.stakeholders.grid import MAX_IN_CELL
from tests.downloads import answer_followed
from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
_serial = itertools.count(1)


def grow(n: int) -> None:
    """Add ``n`` stakeholders (most of them in one crowded cell), each with an assessment,
    an area and an engagement naming it with a theme, plus ``n`` activities and media
    enquiries: written in bulk, as a large register would have been built up."""
    area = AreaFactory()
    theme, _ = ConcernTheme.objects.get_or_create(name="Dealing in the street")
    stakeholders = []
    for i in range(n):
        serial = next(_serial)
        interest, influence = (5, 5) if i % 3 else (1 + i % 5, 1 + (i // 5) % 5)
        stakeholders.append(
            Stakeholder(
                name=f"Stakeholder {serial:05d}",
                organisation=f"Organisation {serial}",
                stakeholder_type=Stakeholder.Type.COMMUNITY_LEADER,
                lawful_basis=Stakeholder.LawfulBasis.PUBLIC_TASK,
                interest=interest,
                influence=influence,
                assessed_on=TODAY,
                next_action_due=TODAY + datetime.timedelta(days=serial % 30),
            )
        )
    stakeholders = Stakeholder.objects.bulk_create(stakeholders)
    StakeholderAssessment.objects.bulk_create(
        StakeholderAssessment(
            stakeholder=s,
            interest=s.interest,
            influence=s.influence,
            assessed_on=TODAY,
            reason="Scored",
        )
        for s in stakeholders
    )
    Stakeholder.areas.through.objects.bulk_create(
        Stakeholder.areas.through(stakeholder=s, area=area) for s in stakeholders
    )
    engagements = Engagement.objects.bulk_create(
        Engagement(
            mode=Engagement.Mode.ONE_TO_ONE,
            title=f"Meeting {s.pk}",
            occurred_on=TODAY - datetime.timedelta(days=s.pk % 60),
            area=area,
            follow_up_action="Call back",
            follow_up_due=TODAY + datetime.timedelta(days=s.pk % 20),
        )
        for s in stakeholders
    )
    Engagement.stakeholders.through.objects.bulk_create(
        Engagement.stakeholders.through(engagement=e, stakeholder=s)
        for e, s in zip(engagements, stakeholders, strict=True)
    )
    Engagement.themes.through.objects.bulk_create(
        Engagement.themes.through(engagement=e, concerntheme=theme) for e in engagements
    )
    now = timezone.now()
    Activity.objects.bulk_create(
        Activity(title=f"Activity {i}", mode=Activity.Mode.PRESENTATION, planned_on=TODAY)
        for i in range(n)
    )
    MediaEnquiry.objects.bulk_create(
        MediaEnquiry(
            outlet=f"Outlet {i}",
            journalist="A Reporter",
            question="What happened?",
            deadline=now + datetime.timedelta(days=1),
        )
        for i in range(n)
    )


def queries_for(client, url: str) -> tuple[int, bytes]:
    """How many queries the page runs (a download read to its end; a register's export
    asked for, prepared and downloaded), and what it sent."""
    with CaptureQueriesContext(connection) as captured:
        response = answer_followed(client, url)
        assert response.status_code == 200, url
        # Reading a download to its end closes it, as a server would.
        content = b"".join(response.streaming_content) if response.streaming else response.content
    return len(captured), content


def assert_flat(client, url: str) -> tuple[bytes, bytes]:
    """The page's query count at 3 stakeholders and at 30 is the same."""
    grow(3)
    answer_followed(client, url)  # warm per-process caches (site settings, permissions)
    small, small_content = queries_for(client, url)
    grow(27)
    large, large_content = queries_for(client, url)
    assert small == large, f"{url}: {small} queries with 3 stakeholders, {large} with 30"
    return small_content, large_content


ADMIN_PAGES = [
    "/admin/engagement/log/add/",
    "/admin/engagement/grid/",
    "/admin/engagement/grid/print/",
    "/admin/engagement/grid/?stakeholder_type=community_leader",
    "/admin/engagement/stakeholders/",
    "/admin/engagement/stakeholders/?p=1",
    "/admin/engagement/stakeholders/?ordering=influence",
    "/admin/engagement/stakeholders/?ordering=interest",
    "/admin/engagement/stakeholders/?ordering=next_action_due",
    "/admin/engagement/stakeholders/?quadrant=involve",
    "/admin/engagement/log/",
    "/admin/engagement/log/?ordering=follow_up_due",
    "/admin/engagement/log/?ordering=occurred_on",
    "/admin/engagement/log/?ordering=title",
    "/admin/snippets/engagement/activity/?ordering=planned_on",
    "/admin/snippets/engagement/activity/?ordering=owner",
    "/admin/snippets/engagement/mediaenquiry/?ordering=outlet",
    "/admin/snippets/engagement/mediaenquiry/?ordering=received_at",
    "/admin/snippets/engagement/mediaenquiry/add/",
    "/admin/reports/dashboard/",
    "/admin/",
]
EXPORTS = [
    "/admin/engagement/log/?export=csv",
    "/admin/engagement/log/?export=xlsx",
    "/admin/engagement/stakeholders/?export=csv",
    "/admin/engagement/stakeholders/?export=xlsx",
]


@pytest.mark.parametrize("url", ADMIN_PAGES + EXPORTS)
def test_page_runs_the_same_queries_with_ten_times_the_register(client, superuser, url):
    client.force_login(superuser)
    assert_flat(client, url)


def test_engagement_edit_runs_the_same_queries_with_ten_times_the_register(client, superuser):
    client.force_login(superuser)
    grow(3)
    engagement = Engagement.objects.order_by("pk").first()
    assert_flat(client, reverse("wagtailsnippets_engagement_engagement:edit", args=[engagement.pk]))


def test_engagement_form_draws_only_the_chosen_stakeholders(client, superuser):
    grow(30)
    engagement = Engagement.objects.order_by("pk").first()
    chosen = engagement.stakeholders.get()
    client.force_login(superuser)
    html = client.get(
        reverse("wagtailsnippets_engagement_engagement:edit", args=[engagement.pk])
    ).content.decode()
    assert html.count('type="checkbox" name="stakeholders"') == 1
    assert f'value="{chosen.pk}" id="id_stakeholders_0" checked' in html
    assert html.count("Stakeholder 0") == 1  # no other stakeholder is drawn


def test_picker_search_is_bounded_and_says_there_are_more(client, superuser):
    grow(30)
    client.force_login(superuser)
    url = reverse("engagement_stakeholder_picker_search")
    found = client.get(url, {"q": "Stakeholder"}).json()
    assert len(found["results"]) == 20 and found["more"] is True
    names = [r["label"] for r in found["results"]]
    assert names == sorted(names)
    one = Stakeholder.objects.order_by("pk").last()
    found = client.get(url, {"q": one.name}).json()
    assert found == {"results": [{"id": one.pk, "label": str(one)}], "more": False}


def test_grid_names_a_bounded_few_and_links_to_the_rest(client, superuser):
    client.force_login(superuser)
    small, large = assert_flat(client, "/admin/engagement/grid/")
    html = large.decode()
    in_involve = Stakeholder.objects.in_quadrant("involve").count()
    crowded = Stakeholder.objects.filter(interest=5, influence=5).count()
    assert crowded > MAX_IN_CELL
    # The crowded cell names its first eight and counts the rest on the chart.
    assert html.count('data-interest="5" data-influence="5"') == MAX_IN_CELL
    assert f"+{crowded - (MAX_IN_CELL - 1)}" in html
    # The table lists those named and links to every one in the quadrant.
    hidden = crowded - (MAX_IN_CELL - 1)
    assert f'<tr data-more="{hidden}">' in html
    assert f"And {hidden} more in Involve" in html
    assert "/admin/engagement/stakeholders/?quadrant=involve" in html
    assert (
        f"{Stakeholder.objects.assessed().count()} scored stakeholders: {in_involve} involve"
        in html
    )
    assert "Every stakeholder on the grid" not in html
    assert "Every stakeholder on the grid" in small.decode()


def test_grid_more_link_keeps_the_grid_filters(client, superuser):
    grow(30)
    area = Stakeholder.objects.order_by("pk").last().areas.get()
    client.force_login(superuser)
    html = client.get("/admin/engagement/grid/", {"area": area.pk}).content.decode()
    assert f"?areas={area.pk}&amp;quadrant=involve" in html


def test_partner_grid_counts_every_stakeholder_at_any_size(client, partner_viewer):
    client.force_login(partner_viewer)
    small, large = assert_flat(client, "/admin/engagement/grid/")
    html = large.decode()
    crowded = Stakeholder.objects.filter(interest=5, influence=5).count()
    assert f"{crowded} stakeholders: interest 5, influence 5" in html
    assert "Stakeholder 0" not in html


def test_exports_hold_every_row_with_its_names(client, superuser):
    client.force_login(superuser)
    _small, large = assert_flat(client, "/admin/engagement/log/?export=csv")
    rows = list(csv.DictReader(io.StringIO(large.decode())))
    assert len(rows) == Engagement.objects.count() == 30
    engagement = Engagement.objects.order_by("pk").last()
    row = next(r for r in rows if r["Title"] == engagement.title)
    assert row["Stakeholders present"] == engagement.stakeholders.get().name
    assert row["Themes of concern"] == "Dealing in the street"

    stakeholder = Stakeholder.objects.order_by("pk").last()
    Stakeholder.areas.through.objects.create(
        stakeholder=stakeholder, area=AreaFactory(name="Aardvark Estate")
    )
    _count, content = queries_for(client, "/admin/engagement/stakeholders/?export=xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    rows = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    assert len(rows) == 30
    row = next(r for r in rows if r["Name"] == stakeholder.name)
    assert row["Areas"].startswith("Aardvark Estate, ")


def test_export_neutralises_joined_names(client, superuser):
    grow(3)
    engagement = Engagement.objects.order_by("pk").first()
    engagement.stakeholders.update(name="=HYPERLINK(1)")
    client.force_login(superuser)
    _count, content = queries_for(client, "/admin/engagement/log/?export=csv")
    assert "'=HYPERLINK(1)" in content.decode()


def export_table(url: str, content: bytes) -> list[dict]:
    """The export's rows as dicts by heading, from a CSV or a workbook."""
    if url.endswith("csv"):
        return list(csv.DictReader(io.StringIO(content.decode())))
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    return [
        {h: ("" if c.value is None else c.value) for h, c in zip(header, r, strict=True)}
        for r in sheet.iter_rows(min_row=2)
    ]


# Each export with its queries for one chunk's names: the log's stakeholders and themes,
# the register's areas.
CHUNKED_EXPORTS = [
    ("/admin/engagement/log/?export=csv", 2),
    ("/admin/engagement/log/?export=xlsx", 2),
    ("/admin/engagement/stakeholders/?export=csv", 1),
    ("/admin/engagement/stakeholders/?export=xlsx", 1),
]


@pytest.mark.parametrize("url, names_queries", CHUNKED_EXPORTS)
def test_export_looks_names_up_once_a_chunk(client, superuser, monkeypatch, url, names_queries):
    """A chunk of rows costs the same few queries for its names however many rows it
    holds: ten rows and twenty cost one chunk more, twenty and thirty one more again."""
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 10)
    client.force_login(superuser)
    grow(10)
    client.get(url)
    counts = []
    for _chunks in range(3):
        count, content = queries_for(client, url)
        counts.append(count)
        assert len(export_table(url, content)) == 10 * len(counts)
        grow(10)
    assert counts[1] - counts[0] == counts[2] - counts[1] == names_queries, counts


@pytest.mark.parametrize("url", [url for url, _queries in CHUNKED_EXPORTS])
def test_export_names_each_rows_own_across_chunks(client, superuser, monkeypatch, url):
    """Rows with several names, one name and none, read two to a chunk: each row carries
    its own names, joined in name order, and a row with none has an empty cell."""
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SIZE", 2)
    grow(3)
    theme = ConcernTheme.objects.create(name="Antisocial driving")
    crowded, lonely = Engagement.objects.order_by("pk")[:2]
    crowded.stakeholders.add(*Stakeholder.objects.order_by("-pk")[:2])
    crowded.themes.add(theme)
    lonely.stakeholders.clear()
    lonely.themes.clear()
    busy, idle = Stakeholder.objects.order_by("pk")[:2]
    Stakeholder.areas.through.objects.bulk_create(
        Stakeholder.areas.through(stakeholder=busy, area=AreaFactory(name=name))
        for name in ["Zetland Row", "Abbey Fields"]
    )
    Stakeholder.areas.through.objects.filter(stakeholder=idle).delete()
    client.force_login(superuser)

    _count, content = queries_for(client, url)
    rows = export_table(url, content)
    if "/log/" in url:
        assert len(rows) == 3
        by_title = {row["Title"]: row for row in rows}
        assert by_title[crowded.title]["Stakeholders present"] == ", ".join(
            sorted(s.name for s in crowded.stakeholders.all())
        )
        assert len(by_title[crowded.title]["Stakeholders present"].split(", ")) == 3
        assert by_title[crowded.title]["Themes of concern"] == (
            "Antisocial driving, Dealing in the street"
        )
        assert by_title[lonely.title]["Stakeholders present"] == ""
        assert by_title[lonely.title]["Themes of concern"] == ""
        for engagement in Engagement.objects.exclude(pk__in=[crowded.pk, lonely.pk]):
            row = by_title[engagement.title]
            assert row["Stakeholders present"] == engagement.stakeholders.get().name
    else:
        assert len(rows) == 3
        by_name = {row["Name"]: row for row in rows}
        own_area = busy.areas.exclude(name__in=["Zetland Row", "Abbey Fields"]).get().name
        assert by_name[busy.name]["Areas"] == ", ".join(
            sorted(["Zetland Row", "Abbey Fields", own_area])
        )
        assert by_name[idle.name]["Areas"] == ""
        third = Stakeholder.objects.exclude(pk__in=[busy.pk, idle.pk]).get()
        assert by_name[third.name]["Areas"] == third.areas.get().name
