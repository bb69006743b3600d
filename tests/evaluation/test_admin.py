"""The analyst's pages through the real admin views, and every door refused to the
other roles: imports, areas, rings, evaluations, their exports and listings."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.models import CrimeArea, CrimeImport, CrimeMonth, CrimeRecord, Evaluation

from .files import street_csv, street_row

pytestmark = pytest.mark.django_db

OTHERS = ["comms_officer", "approver", "neighbourhood_officer", "partner_viewer"]
MARCH = datetime.date(2024, 3, 1)


def doors(evaluation):
    area = evaluation.operation_area
    crime_import = CrimeImport.objects.create(file_name="earlier.csv")
    return [
        ("get", reverse("evaluation_admin:import")),
        ("post", reverse("evaluation_admin:import")),
        ("get", reverse("evaluation_admin:import_detail", args=[crime_import.pk])),
        ("get", reverse("evaluation_imports:index")),
        ("get", reverse("evaluation_admin:area", args=[area.pk])),
        ("get", reverse("evaluation_admin:ring", args=[area.pk])),
        ("post", reverse("evaluation_admin:ring", args=[area.pk])),
        ("get", reverse("evaluation_admin:evaluation", args=[evaluation.pk])),
        *(
            ("get", reverse("evaluation_admin:export", args=[evaluation.pk, table, fmt]))
            for table in ("summary", "series")
            for fmt in ("csv", "xlsx")
        ),
        ("get", reverse("wagtailsnippets_evaluation_evaluation:list")),
        ("get", reverse("wagtailsnippets_evaluation_evaluation:add")),
        ("get", reverse("wagtailsnippets_evaluation_evaluation:edit", args=[evaluation.pk])),
        ("get", reverse("wagtailsnippets_evaluation_crimearea:list")),
        ("get", reverse("wagtailsnippets_evaluation_crimearea:inspect", args=[area.pk])),
        ("get", reverse("wagtailsnippets_evaluation_crimearea:edit", args=[area.pk])),
        ("get", reverse("wagtailsnippets_evaluation_crimearea:history", args=[area.pk])),
        ("get", reverse("wagtailsnippets_evaluation_crimearea:usage", args=[area.pk])),
        ("get", reverse("wagtailsnippets_evaluation_evaluation:history", args=[evaluation.pk])),
        ("post", reverse("wagtailsnippets_evaluation_evaluation:delete", args=[evaluation.pk])),
        ("get", "/admin/snippets/choose/evaluation/crimearea/"),
        ("get", "/admin/snippets/choose/evaluation/crimearea/results/?q=Larch"),
        ("get", "/admin/snippets/choose/evaluation/evaluation/"),
    ]


@pytest.mark.parametrize("role", OTHERS)
def test_every_door_is_refused_to_other_roles(client, request, constructed, role):
    client.force_login(request.getfixturevalue(role))
    opened = []
    for method, url in doors(constructed):
        response = getattr(client, method)(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        if response.status_code == 200 or b"Larch estate" in body:
            opened.append(f"{method} {url}: {response.status_code}")
    assert opened == []
    assert CrimeArea.objects.count() == 3  # no ring was made
    assert Evaluation.objects.filter(pk=constructed.pk).exists()  # nor deleted
    assert CrimeImport.objects.count() == 2  # the fixture's and the earlier one: none added
    # The menu offers them nothing of it.
    assert b"Crime evaluation" not in client.get("/admin/").content


def test_the_analyst_opens_every_door(client, analyst, constructed):
    client.force_login(analyst)
    for method, url in doors(constructed):
        if method == "get":
            assert client.get(url).status_code == 200, url
    assert b"Crime evaluation" in client.get("/admin/").content


def test_the_evaluation_page_prints_the_quotient_to_two_decimals_beside_its_reading(
    client, analyst, constructed, django_assert_max_num_queries
):
    client.force_login(analyst)
    url = reverse("evaluation_admin:evaluation", args=[constructed.pk])
    with django_assert_max_num_queries(20):
        page = client.get(url).content.decode()
    assert (
        '<span class="quotient" id="wdq">0.04</span> — <strong id="wdq-reading">Diffusion of benefits</strong>'
        in page
    )
    assert (
        "Careful reading: <strong>Neither (the buffer&#x27;s change is within month-to-month variation)</strong>"
        in page
    )
    assert "0.56</strong>, 95% interval 0.23 to 1.33" in page
    # (120·180/200 − 60) + (80·180/200 − 70) = 48 + 2
    assert "Total net effect: about 50 fewer recorded crimes" in page
    # The words of caution sit beside the figures.
    assert "What these figures cannot show" in page
    assert "rise with proactive policing" in page
    # The chart, with its figures in its description.
    assert "<svg" in page and "Operation area: Jan 24 35, Feb 24 5" in page


def test_a_refused_quotient_says_why_on_the_page(client, analyst, constructed):
    # Only anti-social behaviour: no records anywhere, so no quotient.
    constructed.crime_types = ["anti-social-behaviour"]
    constructed.save()
    client.force_login(analyst)
    page = client.get(
        reverse("evaluation_admin:evaluation", args=[constructed.pk])
    ).content.decode()
    assert 'id="wdq-refused"' in page and "comparison area recorded no crimes" in page


def test_the_exports_carry_the_figures(client, analyst, constructed):
    client.force_login(analyst)
    summary = client.get(
        reverse("evaluation_admin:export", args=[constructed.pk, "summary", "csv"])
    )
    lines = summary.getvalue().decode().splitlines()
    assert lines[0].startswith("Crime type,Operation area before,Operation area after")
    assert lines[1].startswith(
        '"Drugs, Anti-social behaviour",120,60,80,70,200,180,-0.2667,-0.0111,0.04,'
    )
    series = client.get(reverse("evaluation_admin:export", args=[constructed.pk, "series", "csv"]))
    assert series.getvalue().decode().splitlines()[1] == "2024-01,before,All chosen types,35,15,50"
    assert (
        client.get(
            reverse("evaluation_admin:export", args=[constructed.pk, "x", "csv"])
        ).status_code
        == 404
    )


def test_the_analyst_imports_through_the_admin_and_follows_it(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    upload = SimpleUploadedFile(
        "2024-03-harbridge-street.csv", street_csv([street_row(MARCH)] * 3), "text/csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation_admin:import"), {"file": upload})
    crime_import = CrimeImport.objects.get()
    assert response["Location"] == reverse("evaluation_admin:import_detail", args=[crime_import.pk])
    assert crime_import.status == CrimeImport.DONE and not crime_import.file
    assert crime_import.created_by == analyst
    page = client.get(response["Location"]).content.decode()
    assert "Imported" in page and "March 2024" in page and 'http-equiv="refresh"' not in page
    assert CrimeRecord.objects.count() == 3
    from wagtail.models import ModelLogEntry

    entry = ModelLogEntry.objects.get(action="evaluation.crime_import.uploaded")
    assert entry.user == analyst and entry.data["file"] == "2024-03-harbridge-street.csv"


def test_a_bad_upload_shows_the_line_and_stores_nothing(
    client, analyst, django_capture_on_commit_callbacks
):
    client.force_login(analyst)
    rows = [street_row(MARCH), street_row(MARCH, lon="abc")]
    upload = SimpleUploadedFile("2024-03-harbridge-street.csv", street_csv(rows), "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation_admin:import"), {"file": upload})
    response = client.get(response["Location"])
    page = response.content.decode()
    assert (
        "2024-03-harbridge-street.csv, line 3: Longitude &#x27;abc&#x27; is not a number." in page
    )
    assert "Nothing was imported from this file." in page
    assert not CrimeMonth.objects.exists()


def test_the_area_page_shows_what_is_included_and_generates_a_ring(client, analyst, constructed):
    client.force_login(analyst)
    area = constructed.operation_area
    page = client.get(reverse("evaluation_admin:area", args=[area.pk])).content.decode()
    assert "E01011111" in page and "km²" in page and "evaluation-map" in page
    # 120 + 60 drug offences and a burglary each month, all of the months imported.
    assert "Recorded crimes held</dt><dd>192 from January 2024 to December 2024" in page
    response = client.post(
        reverse("evaluation_admin:ring", args=[area.pk]), {"width_m": 250, "name": ""}
    )
    ring = CrimeArea.objects.get(name="Larch estate: 250 m buffer")
    assert response["Location"] == reverse("evaluation_admin:area", args=[ring.pk])
    assert ring.buffer_of == area and ring.buffer_width_m == 250
    from wagtail.models import ModelLogEntry

    logged = ModelLogEntry.objects.get(
        action="evaluation.crime_area.ring_generated", object_id=str(ring.pk)
    )
    assert logged.user == analyst and logged.data == {"around": "Larch estate", "width_m": 250}


def test_a_ring_needs_a_boundary(client, analyst, constructed):
    client.force_login(analyst)
    lsoa_only = constructed.comparison_area
    response = client.post(reverse("evaluation_admin:ring", args=[lsoa_only.pk]), {"width_m": 250})
    assert "Northgate has no boundary" in response.content.decode()


def test_an_evaluation_is_made_through_the_admin_form(client, analyst, constructed):
    client.force_login(analyst)
    response = client.post(
        reverse("wagtailsnippets_evaluation_evaluation:add"),
        {
            "name": "Second look",
            "operation": constructed.operation.pk,
            "operation_area": constructed.operation_area.pk,
            "buffer_area": constructed.buffer_area.pk,
            "comparison_area": constructed.comparison_area.pk,
            "crime_types": ["drugs", "possession-of-weapons"],
            "before_start": "2024-01-15",
            "before_end": "2024-06-01",
            "after_start": "2024-07-01",
            "after_end": "2024-12-01",
            "in_reports": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    made = Evaluation.objects.get(name="Second look")
    assert made.crime_types == ["drugs", "possession-of-weapons"]
    assert made.before_start == datetime.date(2024, 1, 1)


def test_an_area_with_a_boundary_that_crosses_itself_is_refused(client, analyst):
    client.force_login(analyst)
    bowtie = '{"type": "Polygon", "coordinates": [[[-1.5, 53.8], [-1.49, 53.81], [-1.49, 53.8], [-1.5, 53.81], [-1.5, 53.8]]]}'
    response = client.post(
        reverse("wagtailsnippets_evaluation_crimearea:add"),
        {
            "name": "Bow",
            "boundary": bowtie,
            "lsoa_codes_2011": "",
            "lsoa_codes_2021": "E01000001, e01000002",
        },
    )
    assert "not a valid shape" in response.content.decode()
    response = client.post(
        reverse("wagtailsnippets_evaluation_crimearea:add"),
        {
            "name": "Codes",
            "boundary": "",
            "lsoa_codes_2011": "",
            "lsoa_codes_2021": "E01000001, e01000002 HB4",
        },
    )
    assert "Not an LSOA code: HB4" in response.content.decode()


def test_the_imports_listing_opens_each_import(client, analyst):
    from evaluation.models import CrimeImport

    crime_import = CrimeImport.objects.create(
        file_name="2024-03-harbridge-street.csv", status=CrimeImport.FAILED
    )
    client.force_login(analyst)
    page = client.get(reverse("evaluation_imports:index")).content.decode()
    assert reverse("evaluation_admin:import_detail", args=[crime_import.pk]) in page
    assert "Refused" in page and reverse("evaluation_admin:import") in page


def test_periods_left_empty_are_set_from_the_operations_dates(client, analyst, constructed):
    """Operation Lantern ran July to December 2024; data is imported to December 2024."""
    client.force_login(analyst)
    response = client.post(
        reverse("wagtailsnippets_evaluation_evaluation:add"),
        {
            "name": "Defaults",
            "operation": constructed.operation.pk,
            "operation_area": constructed.operation_area.pk,
            "buffer_area": constructed.buffer_area.pk,
            "comparison_area": constructed.comparison_area.pk,
            "crime_types": ["drugs"],
        },
    )
    assert response.status_code == 302
    made = Evaluation.objects.get(name="Defaults")
    assert (made.before_start, made.before_end, made.after_start, made.after_end) == (
        datetime.date(2023, 7, 1),
        datetime.date(2024, 6, 1),
        datetime.date(2024, 7, 1),
        datetime.date(2024, 12, 1),
    )
