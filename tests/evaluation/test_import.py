"""Importing police.uk street files: checked whole before anything is stored, a bad row
named by its line, a force's month replaced whole on re-import, only the anonymised
fields kept."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from evaluation.models import CrimeImport, CrimeMonth, CrimeRecord

from .files import FORCE, month_zip, street_csv, street_row

pytestmark = pytest.mark.django_db

MARCH, APRIL = datetime.date(2024, 3, 1), datetime.date(2024, 4, 1)


def write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_a_street_file_imports_only_the_anonymised_fields_it_needs(tmp_path):
    rows = [
        street_row(MARCH),
        street_row(MARCH, crime_type="Anti-social behaviour", lon="", lat=""),
    ]
    call_command(
        "import_police_crime", write(tmp_path, "2024-03-harbridge-street.csv", street_csv(rows))
    )
    month = CrimeMonth.objects.get()
    assert (month.reported_by, month.month, month.status, month.row_count) == (
        FORCE,
        MARCH,
        CrimeMonth.LIVE,
        2,
    )
    stored = list(
        CrimeRecord.objects.order_by("crime_type").values(
            "month", "crime_type", "longitude", "latitude", "lsoa_code"
        )
    )
    assert stored == [
        {
            "month": MARCH,
            "crime_type": "anti-social-behaviour",
            "longitude": None,
            "latitude": None,
            "lsoa_code": "E01011111",
        },
        {
            "month": MARCH,
            "crime_type": "drugs",
            "longitude": -1.5,
            "latitude": 53.8,
            "lsoa_code": "E01011111",
        },
    ]
    # The Crime ID, the street, the LSOA name, the outcome and the context are not kept.
    kept = {f.name for f in CrimeRecord._meta.get_fields()}
    assert kept == {
        "id",
        "crime_month",
        "month",
        "crime_type",
        "longitude",
        "latitude",
        "lsoa_code",
    }


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (street_row(MARCH, lon="west"), "line 4: Longitude 'west' is not a number."),
        (
            street_row(MARCH, crime_type="Shoplifitng"),
            "line 4: Crime type 'Shoplifitng' is not one police.uk uses.",
        ),
        (street_row(MARCH, lsoa="HB4 2AB"), "line 4: LSOA code 'HB4 2AB' is not an LSOA code"),
        (
            street_row(APRIL),
            "line 4: Harbridge Constabulary, 2024-04 in a file of Harbridge Constabulary, 2024-03",
        ),
        (street_row(MARCH)[:11], "line 4: 11 columns where the header has 12."),
        (street_row(MARCH, lat=""), "line 4: only one of Longitude and Latitude is given."),
    ],
)
def test_a_file_with_a_bad_row_names_the_line_and_stores_nothing(tmp_path, bad, message):
    rows = [street_row(MARCH), street_row(MARCH), bad, street_row(MARCH)]
    path = write(tmp_path, "2024-03-harbridge-street.csv", street_csv(rows))
    with pytest.raises(CommandError) as refused:
        call_command("import_police_crime", path)
    assert f"2024-03-harbridge-street.csv, {message}" in str(refused.value)
    assert "Nothing was imported" in str(refused.value)
    assert not CrimeRecord.objects.exists()
    assert not CrimeMonth.objects.exists()
    assert CrimeImport.objects.get().status == CrimeImport.FAILED


def test_a_bad_row_in_a_later_month_of_a_zip_stores_no_month_at_all(tmp_path):
    months = {
        MARCH: [street_row(MARCH)] * 3,
        APRIL: [street_row(APRIL), street_row(APRIL, lat="99")],
    }
    with pytest.raises(
        CommandError, match=r"2024-04/2024-04-harbridge-street.csv, line 3: Latitude 99 is outside"
    ):
        call_command("import_police_crime", write(tmp_path, "download.zip", month_zip(months)))
    assert not CrimeRecord.objects.exists()


def test_a_wrong_header_is_refused_on_line_one(tmp_path):
    content = street_csv([street_row(MARCH)]).replace(b"LSOA code", b"LSOA")
    with pytest.raises(CommandError, match=r"x.csv, line 1: the header is not police.uk's"):
        call_command("import_police_crime", write(tmp_path, "x.csv", content))


def test_a_zip_of_month_folders_imports_its_street_files_and_never_opens_stop_and_search(
    tmp_path, capsys
):
    months = {MARCH: [street_row(MARCH)] * 3, APRIL: [street_row(APRIL)] * 2}
    call_command("import_police_crime", write(tmp_path, "download.zip", month_zip(months)))
    assert dict(CrimeMonth.objects.values_list("month", "row_count")) == {MARCH: 3, APRIL: 2}
    out = capsys.readouterr().out
    assert "left alone (not a street file): 2024-03/2024-03-harbridge-stop-and-search.csv" in out
    assert "Imported 5 rows: 2 force-months." in out


def test_reimporting_a_month_replaces_it_and_leaves_other_months_and_forces(tmp_path):
    months = {MARCH: [street_row(MARCH)] * 3, APRIL: [street_row(APRIL)] * 2}
    call_command("import_police_crime", write(tmp_path, "download.zip", month_zip(months)))
    other = [street_row(MARCH, force="Westshire Police")] * 4
    call_command(
        "import_police_crime", write(tmp_path, "2024-03-westshire-street.csv", street_csv(other))
    )
    revised = [street_row(MARCH, crime_type="Burglary")] * 5
    call_command(
        "import_police_crime", write(tmp_path, "2024-03-harbridge-street.csv", street_csv(revised))
    )
    call_command(
        "import_police_crime", write(tmp_path, "2024-03-harbridge-street.csv", street_csv(revised))
    )

    live = CrimeMonth.objects.live()
    assert sorted(live.values_list("reported_by", "month", "row_count")) == [
        (FORCE, MARCH, 5),
        (FORCE, APRIL, 2),
        ("Westshire Police", MARCH, 4),
    ]
    assert CrimeMonth.objects.count() == 3  # the replaced months are gone
    assert CrimeRecord.objects.count() == 11
    harbridge_march = CrimeRecord.objects.filter(crime_month__reported_by=FORCE, month=MARCH)
    assert set(harbridge_march.values_list("crime_type", flat=True)) == {"burglary"}


def test_the_same_force_month_twice_in_one_import_is_refused(tmp_path):
    one = write(tmp_path, "a.csv", street_csv([street_row(MARCH)]))
    two = write(tmp_path, "b.csv", street_csv([street_row(MARCH)]))
    with pytest.raises(
        CommandError, match=r"b.csv: Harbridge Constabulary, 2024-03 is also in a.csv"
    ):
        call_command("import_police_crime", one, two)
    assert not CrimeRecord.objects.exists()


def test_an_import_resumed_after_its_run_died_throws_away_the_half_written_month(
    tmp_path, settings
):
    """A run that died mid-month leaves a month LOADING; it is never counted, and the
    resumed run discards it and skips the months already swapped in."""
    from evaluation.services import crime_import_execute

    settings.SIGNPOST_CRIME_IMPORT_BATCH_ROWS = 2
    months = {MARCH: [street_row(MARCH)] * 3, APRIL: [street_row(APRIL)] * 5}
    path = write(tmp_path, "download.zip", month_zip(months))
    crime_import = CrimeImport.objects.create(file_name="download.zip")
    calls = {"n": 0}

    def die_in_april(current):
        calls["n"] += 1
        if current.months_loaded == 1 and current.rows_done >= 5:
            raise KeyboardInterrupt  # the worker is killed

    with pytest.raises(KeyboardInterrupt):
        crime_import_execute(crime_import=crime_import, paths=[path], progress=die_in_april)
    assert CrimeMonth.objects.live().count() == 1
    half = CrimeMonth.objects.get(status=CrimeMonth.LOADING)
    assert half.records.count() == 2

    CrimeImport.objects.filter(pk=crime_import.pk).update(runner="")  # the lease lapsed
    crime_import.refresh_from_db()
    crime_import_execute(crime_import=crime_import, paths=[path])
    assert crime_import.status == CrimeImport.DONE
    assert sorted(CrimeMonth.objects.values_list("month", "status", "row_count")) == [
        (MARCH, "live", 3),
        (APRIL, "live", 5),
    ]
    assert CrimeRecord.objects.count() == 8


def test_a_failure_not_of_the_file_leaves_no_half_month_and_stops_after_three_attempts(
    tmp_path, settings, monkeypatch
):
    """The database failing mid-month: the month being written is thrown away, the
    months swapped in stay whole, the reason is kept, and the run is tried again, up to
    three times, then stopped with the reason."""
    from evaluation import services

    settings.SIGNPOST_CRIME_IMPORT_BATCH_ROWS = 2
    months = {MARCH: [street_row(MARCH)] * 3, APRIL: [street_row(APRIL)] * 5}
    path = write(tmp_path, "download.zip", month_zip(months))
    crime_import = CrimeImport.objects.create(file_name="download.zip")
    written = services._write

    def failing(crime_month, batch):
        if crime_month.month == APRIL and crime_month.records.exists():
            raise OperationalError("server closed the connection")
        return written(crime_month, batch)

    monkeypatch.setattr(services, "_write", failing)
    for attempt in range(3):
        CrimeImport.objects.filter(pk=crime_import.pk).update(runner="")  # the lease lapses
        crime_import.refresh_from_db()
        with pytest.raises(Exception, match="server closed the connection"):
            services.crime_import_execute(crime_import=crime_import, paths=[path])
        assert list(CrimeMonth.objects.values_list("month", "status")) == [(MARCH, "live")]
        assert CrimeRecord.objects.count() == 3
        crime_import.refresh_from_db()
        assert crime_import.attempts == attempt + 1
        assert "The last attempt failed: OperationalError" in crime_import.problem

    CrimeImport.objects.filter(pk=crime_import.pk).update(runner="")
    crime_import.refresh_from_db()
    with pytest.raises(services.LeaseLost):
        services.crime_import_execute(crime_import=crime_import, paths=[path])
    crime_import.refresh_from_db()
    assert crime_import.status == CrimeImport.FAILED
    assert crime_import.problem.startswith("Stopped after 3 attempts. The last attempt failed")
