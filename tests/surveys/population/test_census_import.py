"""Importing Census 2021 tables as Nomis publishes them, and checking the margins add up."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import ModelLogEntry

from surveys.models import PopulationCount, PopulationMargins
from surveys.population.census_import import CensusImportError, census_margin_read
from surveys.population.checks import margin_errors, margins_warnings
from tests.factories import AreaFactory

SEX_BULK = (
    "date,geography,geography code,Sex: All persons; measures: Value,"
    "Sex: Female; measures: Value,Sex: Male; measures: Value\n"
    "2021,Harbridge 001A,E01000001,1500,780,720\n"
    "2021,Harbridge 001B,E01000002,1620,800,820\n"
    "2021,Harbridge 002A,E01000003,1410,700,710\n"
)
TENURE_QUERY = (
    '"TS054 - Tenure"\n'
    '"ONS Crown Copyright Reserved [from Nomis on 7 December 2026]"\n'
    '"population :","All households"\n'
    '"units      :","Households"\n'
    "\n"
    '"2021 super output area - lower layer","mnemonic","Total: All households","Owned",'
    '"Owned: Owns outright","Owned: Owns with a mortgage or loan","Shared ownership",'
    '"Shared ownership: Shared ownership","Social rented",'
    '"Social rented: Rents from council or Local Authority","Social rented: Other social rented",'
    '"Private rented","Private rented: Private landlord or letting agency",'
    '"Private rented: Other private rented","Lives rent free"\n'
    '"Harbridge 001A","E01000001","650","300","120","180","10","10","200","150","50","130","120","10","10"\n'
    '"Harbridge 001B","E01000002","700","250","100","150","0","0","300","200","100","140","130","10","10"\n'
    "\n"
    '"In line with the statistical disclosure control, figures are perturbed."\n'
)
AGE_BANDS = [
    "Aged 4 years and under", "Aged 5 to 9 years", "Aged 10 to 14 years", "Aged 15 to 19 years",
    "Aged 20 to 24 years", "Aged 25 to 29 years", "Aged 30 to 34 years", "Aged 35 to 39 years",
    "Aged 40 to 44 years", "Aged 45 to 49 years", "Aged 50 to 54 years", "Aged 55 to 59 years",
    "Aged 60 to 64 years", "Aged 65 to 69 years", "Aged 70 to 74 years", "Aged 75 to 79 years",
    "Aged 80 to 84 years", "Aged 85 years and over",
]  # fmt: skip


def age_file(counts):
    header = "date,geography,geography code,Age: Total," + ",".join(f"Age: {b}" for b in AGE_BANDS)
    return (
        header
        + "\n"
        + f"2021,Eastfield,E01000009,{sum(counts)},"
        + ",".join(map(str, counts))
        + "\n"
    ).encode()


def test_a_bulk_file_is_added_up_over_the_areas_census_areas():
    margin = census_margin_read(
        SEX_BULK.encode(), key="profile_sex", codes=["E01000001", "E01000003"]
    )
    assert margin.counts == {"female": 1480, "male": 1430}
    assert margin.rows == 2


def test_a_query_download_with_its_preamble_and_notes_is_read():
    margin = census_margin_read(
        TENURE_QUERY.encode(), key="profile_tenure", codes=["E01000001", "E01000002"]
    )
    # Owned with shared ownership; private rented with living rent free.
    assert margin.counts == {"owned": 560, "social_rented": 500, "private_rented": 290}
    assert margin.title == "TS054 - Tenure"


def test_age_bands_become_the_surveys_bands_from_16():
    counts = [100] * 18
    margin = census_margin_read(age_file(counts), key="profile_age", codes=[])
    assert margin.counts == {"16_24": 180, "25_34": 200, "35_49": 300, "50_64": 300, "65_plus": 500}
    assert "four fifths" in margin.notes[0]


@pytest.mark.parametrize(
    ("data", "key", "codes", "says"),
    [
        (SEX_BULK, "profile_sex", [], "covers 3 census areas"),
        (SEX_BULK, "profile_sex", ["E01000001", "E09999999"], "Not in the file: E09999999"),
        (
            SEX_BULK,
            "profile_tenure",
            ["E01000001"],
            "Column 'Sex: Female; measures: Value' is not a category of TS054 Tenure",
        ),
        (
            SEX_BULK.replace("780,720", "780,700"),
            "profile_sex",
            ["E01000001"],
            "Line 2 (E01000001): the categories add up to 1,480 but the total says 1,500",
        ),
        (
            SEX_BULK.replace("1620,800", "1620,x"),
            "profile_sex",
            ["E01000001"],
            "'x' under 'Sex: Female; measures: Value' is not a count",
        ),
        ("name,value\nEastfield,3\n", "profile_sex", [], "No column of census area codes"),
        (
            SEX_BULK.replace(",Sex: Male; measures: Value", "")
            .replace(",720", "")
            .replace(",820", "")
            .replace(",710", ""),
            "profile_sex",
            ["E01000001"],
            "no column for 'male'",
        ),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_with_what_is_wrong(data, key, codes, says):
    with pytest.raises(CensusImportError) as error:
        census_margin_read(data.encode(), key=key, codes=codes)
    assert says in " ".join(error.value.problems)


def test_the_check_names_what_does_not_add_up():
    assert margin_errors("profile_sex", {"female": 10}) == [
        "Sex has no count for 'Male': enter 0 if nobody in the area gives that answer."
    ]
    assert "adds up to nobody" in margin_errors("profile_sex", {"female": 0, "male": 0})[0]
    assert "'teen' is not an answer" in margin_errors("profile_age", {"teen": 5})[0]
    warnings = margins_warnings(
        {
            "profile_sex": {"female": 2600, "male": 2400},
            "profile_ethnic_group": {
                "asian": 800,
                "black": 300,
                "mixed": 200,
                "white": 4000,
                "other": 100,
            },
            "profile_age": {
                "16_24": 2000,
                "25_34": 2000,
                "35_49": 1000,
                "50_64": 500,
                "65_plus": 500,
            },
            "profile_tenure": {"owned": 1000, "social_rented": 500, "private_rented": 500},
        },
        households=2600,
    )
    assert warnings[0].startswith(
        "Sex adds up to 5,000 residents but ethnic group to 5,400 (7.4% apart)"
    )
    assert warnings[1].startswith(
        "Age counts 6,000 usual residents aged 16 and over, more than the 5,400"
    )
    assert warnings[2].startswith(
        "Tenure counts 2,000 households, but the area is recorded as having 2,600"
    )
    assert margins_warnings({"profile_sex": {"female": 2600, "male": 2400}}, households=10) == []


def test_the_analyst_imports_a_table_through_the_admin(client, analyst):
    area = AreaFactory(household_count=1350)
    client.force_login(analyst)
    url = reverse("surveys_population_import")
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "area": area.pk,
            "question": "profile_tenure",
            "file": SimpleUploadedFile("ts054.csv", TENURE_QUERY.encode(), "text/csv"),
            "geography_codes": "E01000001,\nE01000002",
        },
    )
    margins = PopulationMargins.objects.get(area=area)
    assert response.status_code == 302
    assert response.url == reverse("surveys_population:edit", args=[margins.pk])
    assert margins.codes == ["E01000001", "E01000002"]
    assert margins.source == "Census 2021 (Nomis): TS054"
    entry = ModelLogEntry.objects.get(action="surveys.population.census_imported")
    assert entry.user == analyst and entry.data["table"] == "TS054 - Tenure"
    assert dict(margins.counts.values_list("category", "count")) == {
        "owned": 560, "social_rented": 500, "private_rented": 290,
    }  # fmt: skip
    # A bad file changes nothing and says why.
    response = client.post(
        url,
        {
            "area": area.pk,
            "question": "profile_tenure",
            "file": SimpleUploadedFile("ts008.csv", SEX_BULK.encode(), "text/csv"),
        },
    )
    assert response.status_code == 200
    assert "is not a category of TS054 Tenure" in response.content.decode()
    assert PopulationCount.objects.filter(margins=margins).count() == 3


def test_only_those_who_keep_the_margins_may_import_or_edit_them(
    client, comms_officer, partner_viewer, neighbourhood_officer
):
    area = AreaFactory()
    margins = PopulationMargins.objects.create(area=area)
    for user in (comms_officer, partner_viewer, neighbourhood_officer):
        client.force_login(user)
        assert client.get(reverse("surveys_population_import")).status_code in (302, 403)
        assert client.get(reverse("surveys_population:index")).status_code in (302, 403)
        assert client.get(reverse("surveys_population:edit", args=[margins.pk])).status_code in (
            302,
            403,
        )


def test_the_edit_form_refuses_margins_that_do_not_add_up(client, analyst):
    area = AreaFactory()
    client.force_login(analyst)
    data = {
        "area": area.pk,
        "source": "typed in",
        "geography_codes": "",
        "counts-TOTAL_FORMS": "1",
        "counts-INITIAL_FORMS": "0",
        "counts-MIN_NUM_FORMS": "0",
        "counts-MAX_NUM_FORMS": "1000",
        "counts-0-profile_key": "profile_sex",
        "counts-0-category": "female",
        "counts-0-count": "2500",
        "counts-0-ORDER": "0",
        "counts-0-DELETE": "",
        "counts-0-id": "",
    }
    response = client.post(reverse("surveys_population:add"), data)
    assert response.status_code == 200
    assert "Sex has no count for &#x27;Male&#x27;" in response.content.decode()
    assert not PopulationMargins.objects.exists()
    data.update(
        {
            "counts-TOTAL_FORMS": "2",
            "counts-1-profile_key": "profile_sex",
            "counts-1-category": "male",
            "counts-1-count": "2400",
            "counts-1-ORDER": "1",
            "counts-1-DELETE": "",
            "counts-1-id": "",
        }
    )
    response = client.post(reverse("surveys_population:add"), data)
    assert response.status_code == 302
    assert PopulationMargins.objects.get(area=area).counts.count() == 2
    listing = client.get(reverse("surveys_population:index")).content.decode()
    assert "Adds up" in listing


def census_upload(client, area, data: bytes, *, question="profile_tenure"):
    return client.post(
        reverse("surveys_population_import"),
        {
            "area": area.pk,
            "question": question,
            "file": SimpleUploadedFile("ts054.csv", data, "text/csv"),
            "geography_codes": "E01000001,\nE01000002",
        },
    )


@pytest.mark.parametrize(
    "figure, says",
    [
        ("nan", "'nan' under 'Owned' is not a count"),
        ("inf", "'inf' under 'Owned' is not a count"),
        ("1e400", "'1e400' under 'Owned' is not a count"),
        ("-300", "'-300' under 'Owned' is not a count"),
        ("300000000000", "'300000000000' under 'Owned' is not a count"),
    ],
)
def test_figures_that_are_not_counts_are_form_errors(client, analyst, figure, says):
    area = AreaFactory(household_count=1350)
    client.force_login(analyst)
    data = TENURE_QUERY.replace('"650","300"', f'"650","{figure}"').encode()
    response = census_upload(client, area, data)
    assert response.status_code == 200
    assert says in html.unescape(response.content.decode())
    assert not PopulationCount.objects.exists()


def test_an_over_long_field_is_a_form_error(client, analyst):
    area = AreaFactory(household_count=1350)
    client.force_login(analyst)
    for long_cell, says in (
        ("x" * 5_000, "Line 7 has a value over 1,000 characters long"),
        ("x" * 200_000, "Line 7 cannot be read as CSV (field larger than field limit"),
    ):
        data = TENURE_QUERY.replace('"Harbridge 001A"', f'"{long_cell}"').encode()
        response = census_upload(client, area, data)
        page = response.content.decode()
        assert response.status_code == 200 and says in page
        assert long_cell not in page
    assert not PopulationCount.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "cp1252", "utf-8-sig"])
def test_a_table_saved_by_a_spreadsheet_in_another_encoding_is_read(client, analyst, encoding):
    """Excel saves "Unicode text" as UTF-16, older versions CSV as Windows-1252, newer as
    UTF-8 with a byte-order mark: each is read, the title's dash intact."""
    area = AreaFactory(household_count=1350)
    client.force_login(analyst)
    data = TENURE_QUERY.replace("TS054 - Tenure", "TS054 – Tenure").encode(encoding)
    response = census_upload(client, area, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    entry = ModelLogEntry.objects.get(action="surveys.population.census_imported")
    assert entry.data["table"] == "TS054 – Tenure"
    assert dict(PopulationCount.objects.values_list("category", "count")) == {
        "owned": 560, "social_rented": 500, "private_rented": 290,
    }  # fmt: skip
