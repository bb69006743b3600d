"""Importing stakeholders from a CSV file through the admin, all or nothing."""

import csv
import io

import pytest
from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook
from wagtail.models import ModelLogEntry

from engagement.models import Stakeholder, StakeholderAssessment
from engagement.stakeholders import services
from engagement.stakeholders.importing import template_headings
from tests.downloads import downloaded
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db

INDEX = "wagtailsnippets_engagement_stakeholder:list"
IMPORT = "wagtailsnippets_engagement_stakeholder:import"
TEMPLATE = "wagtailsnippets_engagement_stakeholder:import_template"

HEADINGS = [
    "Name",
    "Organisation",
    "Type",
    "Areas",
    "Email",
    "Lawful basis",
    "Consent to contact",
    "Consent recorded on",
    "Interest",
    "Influence",
    "Assessed on",
    "Reason for the scores",
]


def csv_bytes(rows, headings=HEADINGS, *, encoding="utf-8", delimiter=",") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(headings)
    for row in rows:
        writer.writerow([row.get(h, "") for h in headings] if isinstance(row, dict) else row)
    return buffer.getvalue().encode(encoding)


def good_row(**overrides):
    row = {
        "Name": "Councillor Joan Avery",
        "Organisation": "Harbridge Borough Council",
        "Type": "Elected member",
        "Areas": "Eastfield",
        "Email": "joan.avery@example.org",
        "Lawful basis": "Public task",
        "Interest": "4",
        "Influence": "5",
        "Assessed on": "2025-03-14",
        "Reason for the scores": "Chairs the Eastfield ward panel",
    }
    row.update(overrides)
    return row


def upload(client, content: bytes, name="stakeholders.csv"):
    return client.post(reverse(IMPORT), {"file": SimpleUploadedFile(name, content)})


def report(response) -> list[tuple[str, str, str]]:
    """The validation report as the user reads it: (row, column, problem) per table row."""
    soup = BeautifulSoup(response.content, "html.parser")
    table = soup.find("table", id="import-problems")
    assert table is not None, "no validation report on the page"
    headers = [th.get_text(strip=True) for th in table.thead.find_all("th")]
    assert headers == ["Row", "Column", "Problem"]
    return [
        tuple(td.get_text(" ", strip=True) for td in tr.find_all("td"))
        for tr in table.tbody.find_all("tr")
    ]


def problem_text(response) -> str:
    return " | ".join(" ".join(row) for row in report(response))


@pytest.fixture
def eastfield(db):
    return AreaFactory(name="Eastfield", slug="eastfield")


@pytest.fixture
def comms_client(client, comms_officer):
    client.force_login(comms_officer)
    return client


def assert_nothing_imported():
    assert not Stakeholder.objects.exists()
    assert not StakeholderAssessment.objects.exists()
    assert not ModelLogEntry.objects.filter(action=services.STAKEHOLDER_IMPORTED).exists()


# --- A clean file ---------------------------------------------------------------------------


def test_clean_file_imports_every_stakeholder_with_a_first_assessment(
    comms_client, comms_officer, eastfield
):
    westbrook = AreaFactory(name="Westbrook Estate", slug="westbrook")
    content = csv_bytes(
        [
            good_row(),
            good_row(
                Name="Canal Quarter Traders",
                Organisation="",
                Type="local_business",
                Areas="eastfield; WESTBROOK",
                Email="",
                **{"Lawful basis": "legitimate_interests"},
                Interest="2",
                Influence="1",
                **{"Assessed on": "", "Reason for the scores": "Asked for a meeting once"},
            ),
            good_row(
                Name="Ayesha Rahman",
                Organisation="Eastfield Tenants' Association",
                Type="Residents' group",
                **{
                    "Lawful basis": "Consent",
                    "Consent to contact": "yes",
                    "Consent recorded on": "02/01/2025",
                },
                Interest="",
                Influence="",
                **{"Assessed on": "", "Reason for the scores": ""},
            ),
        ]
    )
    response = comms_client.post(
        reverse(IMPORT), {"file": SimpleUploadedFile("register.csv", content)}, follow=True
    )

    assert response.redirect_chain == [(reverse(INDEX), 302)]
    assert "Imported 3 stakeholders from register.csv." in response.content.decode()
    joan = Stakeholder.objects.get(name="Councillor Joan Avery")
    assert joan.organisation == "Harbridge Borough Council"
    assert joan.stakeholder_type == "elected_member"
    assert joan.lawful_basis == "public_task"
    assert (joan.interest, joan.influence, joan.quadrant) == (4, 5, "involve")
    assert list(joan.areas.all()) == [eastfield]
    assessment = joan.assessments.get()
    assert assessment.assessed_by == comms_officer
    assert str(assessment.assessed_on) == "2025-03-14"
    assert assessment.reason == "Chairs the Eastfield ward panel"
    assert joan.next_action_due is not None  # the strategy's plan is worked out at once

    traders = Stakeholder.objects.get(name="Canal Quarter Traders")
    assert traders.quadrant == "watch"
    assert set(traders.areas.all()) == {eastfield, westbrook}
    assert traders.assessments.get().assessed_on == traders.assessed_on

    ayesha = Stakeholder.objects.get(name="Ayesha Rahman")
    assert ayesha.interest is None and not ayesha.assessments.exists()
    assert ayesha.consent_to_contact and str(ayesha.consent_recorded_on) == "2025-01-02"

    # Who imported each one, from which file and row, is in its history.
    entries = ModelLogEntry.objects.filter(action=services.STAKEHOLDER_IMPORTED)
    assert {(e.object_id, e.user_id, e.data["row"]) for e in entries} == {
        (str(joan.pk), comms_officer.pk, 2),
        (str(traders.pk), comms_officer.pk, 3),
        (str(ayesha.pk), comms_officer.pk, 4),
    }
    for stakeholder, row in ((joan, 2), (ayesha, 4)):
        history = comms_client.get(
            reverse("wagtailsnippets_engagement_stakeholder:history", args=[stakeholder.pk])
        )
        assert f"Imported from CSV (register.csv, row {row})" in history.content.decode()
    # The new stakeholders are on the grid.
    assert "Councillor Joan Avery" in comms_client.get(reverse(INDEX)).content.decode()


def test_excel_style_file_with_bom_semicolons_and_a_multi_line_cell(comms_client, eastfield):
    headings = ["Name", "Type", "Lawful basis", "Notes"]
    content = "\ufeff".encode() + csv_bytes(
        [
            ["Père Jérôme Okafor", "Faith group", "Legitimate interests", "Vicar\nSt Mary's"],
            ["", "", "", ""],
            ["Mill Lane Youth Club", "Youth group", "Legitimate interests", ""],
        ],
        headings,
        delimiter=";",
    )
    response = upload(comms_client, content)
    assert response.status_code == 302
    assert Stakeholder.objects.get(name="Père Jérôme Okafor").notes == "Vicar\nSt Mary's"
    assert Stakeholder.objects.count() == 2


# --- Problems are all reported, and nothing is written -----------------------------------------


def test_every_problem_is_reported_by_row_and_column_and_nothing_is_imported(
    comms_client, eastfield
):
    content = csv_bytes(
        [
            good_row(Name="Fine Row"),  # row 2 is fine, but is not imported either
            good_row(Name="", Type="Councillor", Email="not-an-email"),  # row 3
            good_row(Name="Third", Interest="6", Influence="0"),  # row 4
            good_row(Name="Fourth", **{"Lawful basis": ""}, Areas="Eastfield, Nowhere"),  # 5
            good_row(
                Name="Fifth",
                **{"Lawful basis": "consent", "Consent to contact": "maybe"},
            ),  # row 6
            good_row(Name="Sixth", **{"Reason for the scores": "", "Assessed on": "2999-01-01"}),
        ]
    )
    response = upload(comms_client, content)

    assert response.status_code == 200
    rows = report(response)
    assert ("3", "Name", "Give the stakeholder's name.") in rows
    assert any(
        r[:2] == ("3", "Type") and "“Councillor” is not a stakeholder type" in r[2] for r in rows
    )
    assert ("3", "Email", "Enter a valid email address.") in rows
    assert ("4", "Interest", "Score from 1 (lowest) to 5 (highest), not “6”.") in rows
    assert ("4", "Influence", "Score from 1 (lowest) to 5 (highest), not “0”.") in rows
    assert any(r[:2] == ("5", "Lawful basis") and "Give the lawful basis" in r[2] for r in rows)
    assert ("5", "Areas", "No area called “Nowhere”. Areas: Eastfield.") in rows
    assert ("6", "Consent to contact", "Write yes or no, not “maybe”.") in rows
    assert ("7", "Assessed on", "An assessment cannot be dated in the future.") in rows
    assert ("7", "Reason for the scores", "Say why the stakeholder is scored this way.") in rows
    assert not any(r[0] == "2" for r in rows)
    page = response.content.decode()
    assert "Nothing was imported: stakeholders.csv has" in page
    assert 'role="alert"' in page
    assert 'enctype="multipart/form-data"' in page  # still on the form, ready to try again
    assert_nothing_imported()


@pytest.mark.parametrize(
    ("overrides", "column", "message"),
    [
        ({"Interest": "0"}, "Interest", "Score from 1 (lowest) to 5 (highest), not “0”."),
        ({"Interest": "6"}, "Interest", "Score from 1 (lowest) to 5 (highest), not “6”."),
        ({"Influence": "high"}, "Influence", "Score from 1 (lowest) to 5 (highest), not “high”."),
        ({"Influence": ""}, "Influence", "Score both interest and influence."),
        ({"Lawful basis": ""}, "Lawful basis", "Give the lawful basis for holding these details"),
        ({"Lawful basis": "Because"}, "Lawful basis", "“Because” is not a lawful basis"),
        (
            {"Lawful basis": "Consent"},
            "Consent to contact",
            "The lawful basis is consent, so the stakeholder's consent must be recorded.",
        ),
        (
            {"Consent to contact": "yes"},
            "Consent recorded on",
            "Record the date the stakeholder gave consent.",
        ),
        ({"Assessed on": "14th March"}, "Assessed on", "Write the date as YYYY-MM-DD"),
        ({"Type": ""}, "Type", "Give the stakeholder's type"),
        ({"Name": "x" * 201}, "Name", "at most 200 characters"),
    ],
)
def test_a_bad_value_gets_a_clear_message_and_changes_nothing(
    comms_client, eastfield, overrides, column, message
):
    response = upload(comms_client, csv_bytes([good_row(**overrides)]))
    assert response.status_code == 200
    rows = report(response)
    assert any(r[0] == "2" and r[1] == column and message in r[2] for r in rows), rows
    assert_nothing_imported()


def test_duplicates_of_the_register_and_within_the_file_are_reported_not_created(
    comms_client, eastfield
):
    StakeholderFactory(name="Councillor Joan Avery", organisation="Harbridge Borough Council")
    content = csv_bytes(
        [
            good_row(Name="  councillor JOAN avery ", Organisation="HARBRIDGE  Borough Council"),
            good_row(Name="Canal Quarter Traders", Organisation=""),
            good_row(Name="Mill Lane Youth Club", Organisation="Harbridge YMCA"),
            good_row(Name="canal quarter traders ", Organisation=" "),
            good_row(Name="Mill Lane Youth Club", Organisation="Someone else"),  # not a duplicate
        ]
    )
    response = upload(comms_client, content)

    assert report(response) == [
        (
            "2",
            "Name",
            "Already in the register as “Councillor Joan Avery (Harbridge Borough Council)”: "
            "same name and organisation.",
        ),
        ("5", "Name", "Duplicate of row 3: same name and organisation."),
    ]
    assert Stakeholder.objects.count() == 1


def test_the_report_counts_rows_as_a_spreadsheet_does(comms_client, eastfield):
    """A quoted cell spanning lines and a blank row still count as one row each."""
    content = csv_bytes(
        [good_row(Name="A", **{"Reason for the scores": "line one\nline two\nline three"})]
        + [[""] * len(HEADINGS)]
        + [good_row(Name="B", Interest="9")]
    )
    rows = report(upload(comms_client, content))
    assert [r[:2] for r in rows] == [("4", "Interest")]


# --- Files that cannot be read ------------------------------------------------------------------


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADINGS)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "row", "column", "message"),
    [
        (xlsx_bytes(), "Whole file", "—", "This is a spreadsheet workbook, not a CSV file."),
        (b"Name,Type\x00\x01\x02\xff\xfe", "Whole file", "—", "This is not a text file"),
        (
            "Name,Type,Lawful basis\nCafé Lumière,Local business,Consent\n".encode("cp1252"),
            "Whole file",
            "—",
            "The file is not UTF-8 text",
        ),
        (
            b"Joan Avery,Elected member,Public task\nBob,Other,Consent\n",
            "1",
            "—",
            "The first row must hold the column headings",
        ),
        (
            b"Name,Organisation,Lawful basis\nJoan Avery,Council,Public task\n",
            "1",
            "Type",
            "Required column missing: add it to the heading row.",
        ),
        (
            b"Name,Type,Lawful basis,Favourite colour\nJoan,Other,Public task,Red\n",
            "1",
            "Favourite colour",
            "Unknown column.",
        ),
        (
            b"Name,Type,Lawful basis\n",
            "Whole file",
            "—",
            "The file has its heading row but no stakeholders below it.",
        ),
        (
            b'Name,Type,Lawful basis\nJoan,Other,Public task\n"Bob" Smith,Other,Consent\n',
            "3",
            "—",
            "The file is not valid CSV from here on",
        ),
        (
            b"Name,Type,Lawful basis\nJoan,Other,Public task,surplus\n",
            "2",
            "—",
            "This row has more cells than the heading row has columns.",
        ),
        (b"   \n", "Whole file", "—", "The file is empty."),
    ],
    ids=[
        "xlsx",
        "binary",
        "cp1252",
        "no-heading-row",
        "missing-required-column",
        "unknown-column",
        "heading-only",
        "bad-quotes",
        "surplus-cells",
        "blank",
    ],
)
def test_a_malformed_file_is_refused_with_a_message(comms_client, content, row, column, message):
    response = upload(comms_client, content)
    assert response.status_code == 200
    rows = report(response)
    assert any(r[:2] == (row, column) and message in r[2] for r in rows), rows
    assert_nothing_imported()


def test_missing_required_column_is_reported_once_not_on_every_row(comms_client):
    content = b"Name,Organisation,Type\nA,,Other\nB,,Other\nC,,Other\n"
    assert report(upload(comms_client, content)) == [
        ("1", "Lawful basis", "Required column missing: add it to the heading row.")
    ]


def test_an_empty_upload_or_none_is_refused(comms_client):
    response = comms_client.post(reverse(IMPORT), {})
    assert "Choose a CSV file to import." in response.content.decode()
    response = upload(comms_client, b"")
    assert "The file is empty." in response.content.decode()
    assert_nothing_imported()


def test_a_file_over_the_size_limit_is_refused(comms_client, eastfield, settings):
    settings.SIGNPOST_STAKEHOLDER_IMPORT_MAX_BYTES = 400
    content = csv_bytes([good_row(Name=f"Person {n}") for n in range(5)])
    assert len(content) > 400
    response = upload(comms_client, content)
    assert report(response) == [
        (
            "Whole file",
            "—",
            "The file is larger than 400 bytes, the most Signpost imports at once. "
            "Split it into smaller files and import each.",
        )
    ]
    assert_nothing_imported()

    # A file of exactly the limit is accepted.
    content = csv_bytes([good_row(Name="Just Fits")])
    settings.SIGNPOST_STAKEHOLDER_IMPORT_MAX_BYTES = len(content)
    assert upload(comms_client, content).status_code == 302
    assert Stakeholder.objects.get().name == "Just Fits"


def test_a_file_with_too_many_rows_is_refused(comms_client, eastfield, settings):
    settings.SIGNPOST_STAKEHOLDER_IMPORT_MAX_ROWS = 3
    content = csv_bytes([good_row(Name=f"Person {n}") for n in range(4)])
    assert "more than 3 stakeholders" in problem_text(upload(comms_client, content))
    assert_nothing_imported()
    content = csv_bytes([good_row(Name=f"Person {n}") for n in range(3)])
    assert upload(comms_client, content).status_code == 302
    assert Stakeholder.objects.count() == 3


def test_a_failure_part_way_through_leaves_nothing_behind(comms_client, eastfield, monkeypatch):
    real_assess = services.stakeholder_assess
    calls = []

    def assess_then_fail(**kwargs):
        calls.append(kwargs["stakeholder"].name)
        if len(calls) == 2:
            raise RuntimeError("database went away")
        return real_assess(**kwargs)

    monkeypatch.setattr(services, "stakeholder_assess", assess_then_fail)
    content = csv_bytes([good_row(Name=f"Person {n}") for n in range(3)])
    with pytest.raises(RuntimeError):
        upload(comms_client, content)
    assert calls == ["Person 0", "Person 1"]
    assert_nothing_imported()


# --- Export, template and round trip -----------------------------------------------------------


def test_the_template_has_the_import_headings_and_they_match_the_export(comms_client):
    response = comms_client.get(reverse(TEMPLATE))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header = next(csv.reader(io.StringIO(response.getvalue().decode())))
    assert header == template_headings()
    assert {"Name", "Type", "Lawful basis", "Reason for the scores"} <= set(header)

    StakeholderFactory()
    export = downloaded(comms_client, reverse(INDEX), {"export": "csv"})
    export_header = next(csv.reader(io.StringIO(export.decode())))
    # Every import column but the reason is an export column, in the same order.
    assert [h for h in header if h != "Reason for the scores"] == [
        h for h in export_header if h in header
    ]


def test_an_export_imports_into_an_empty_register(comms_client, eastfield):
    StakeholderFactory(name="Spinney Walk Allotment Society", stakeholder_type="resident_group")
    gazette = StakeholderFactory(
        name="Harbridge Gazette newsdesk",
        stakeholder_type="media",
        preferred_channel="email",
        lawful_basis="consent",
        consent_to_contact=True,
        consent_recorded_on="2025-02-01",
        newsletter_list=True,
    )
    gazette.areas.add(eastfield)
    gazette.save()
    content = downloaded(comms_client, reverse(INDEX), {"export": "csv"})

    # Importing it into the same register only finds duplicates.
    rows = report(upload(comms_client, content))
    assert [r[:2] for r in rows] == [("2", "Name"), ("3", "Name")]

    Stakeholder.objects.all().delete()
    assert upload(comms_client, content, name="export.csv").status_code == 302
    gazette = Stakeholder.objects.get(name="Harbridge Gazette newsdesk")
    assert (gazette.stakeholder_type, gazette.preferred_channel) == ("media", "email")
    assert gazette.consent_to_contact and gazette.newsletter_list
    assert list(gazette.areas.all()) == [eastfield]
    assert Stakeholder.objects.count() == 2


def test_formula_text_is_stored_as_given_and_exported_neutralised(comms_client, eastfield):
    formula = '=HYPERLINK("http://evil.example","click")'
    content = csv_bytes([good_row(Name=formula, Organisation="@SUM(A1)")])
    assert upload(comms_client, content).status_code == 302
    stakeholder = Stakeholder.objects.get()
    assert (stakeholder.name, stakeholder.organisation) == (formula, "@SUM(A1)")

    export = downloaded(comms_client, reverse(INDEX), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(export.decode())))
    header, row = rows
    assert row[header.index("Name")] == "'" + formula
    assert row[header.index("Organisation")] == "'@SUM(A1)"


# --- Who may import -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["comms_officer", "approver"])
def test_communications_officer_and_approver_can_import(client, request, role, eastfield):
    user = request.getfixturevalue(role)
    client.force_login(user)
    listing = client.get(reverse(INDEX)).content.decode()
    assert "Import from CSV" in listing
    assert reverse(IMPORT) in listing
    page = client.get(reverse(IMPORT))
    assert page.status_code == 200
    html = page.content.decode()
    # The help lists the allowed values and what the scores mean.
    for text in ("Elected member", "Legitimate interests", "In person", "Eastfield", "(eastfield)"):
        assert text in html
    assert "Intense interest" in html and "Decisive influence" in html
    assert client.get(reverse(TEMPLATE)).status_code == 200
    assert upload(client, csv_bytes([good_row()])).status_code == 302
    assert Stakeholder.objects.get().assessments.get().assessed_by == user


@pytest.mark.parametrize("role", ["neighbourhood_officer", "analyst", "partner_viewer"])
def test_other_roles_cannot_import(client, request, role, eastfield):
    client.force_login(request.getfixturevalue(role))
    listing = client.get(reverse(INDEX))
    if listing.status_code == 200:  # the neighbourhood team reads the register
        assert "Import from CSV" not in listing.content.decode()
        assert reverse(IMPORT) not in listing.content.decode()
    for response in (
        client.get(reverse(IMPORT)),
        client.get(reverse(TEMPLATE)),
        upload(client, csv_bytes([good_row()])),
    ):
        assert_refused(response)
    assert_nothing_imported()


def test_the_upload_needs_a_csrf_token(comms_officer, eastfield):
    client = Client(enforce_csrf_checks=True)
    client.force_login(comms_officer)
    content = csv_bytes([good_row()])
    response = client.post(reverse(IMPORT), {"file": SimpleUploadedFile("s.csv", content)})
    assert response.status_code == 403
    assert_nothing_imported()

    page = client.get(reverse(IMPORT))
    token = BeautifulSoup(page.content, "html.parser").find(
        "input", {"name": "csrfmiddlewaretoken"}
    )["value"]
    response = client.post(
        reverse(IMPORT),
        {"file": SimpleUploadedFile("s.csv", content), "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert Stakeholder.objects.count() == 1


def test_a_reason_that_is_only_markup_is_a_row_problem_not_a_crash(comms_client, eastfield):
    response = upload(comms_client, csv_bytes([good_row(**{"Reason for the scores": "<tbc>"})]))
    assert response.status_code == 200
    assert ("2", "Reason for the scores", "Say why the stakeholder is scored this way.") in report(
        response
    )
    assert not Stakeholder.objects.exists()
