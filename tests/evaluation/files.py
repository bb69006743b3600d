"""police.uk street files for tests, written exactly as police.uk writes them."""

import datetime
import io
import zipfile

from evaluation.police_uk import street_file_name, write_rows

FORCE = "Harbridge Constabulary"


def street_row(
    month: datetime.date,
    *,
    crime_type: str = "Drugs",
    lon: float | str = -1.5,
    lat: float | str = 53.8,
    lsoa: str = "E01011111",
    force: str = FORCE,
    crime_id: str = "a1b2c3",
) -> list:
    return [
        crime_id if crime_type != "Anti-social behaviour" else "",
        f"{month:%Y-%m}",
        force,
        force,
        lon,
        lat,
        "On or near Larch Close",
        lsoa,
        "Harbridge 001A",
        crime_type,
        "Under investigation" if crime_type != "Anti-social behaviour" else "",
        "",
    ]


def street_csv(rows: list[list]) -> bytes:
    stream = io.StringIO()
    write_rows(rows, stream)
    return stream.getvalue().encode()


def month_zip(months: dict[datetime.date, list[list]], *, force_slug: str = "harbridge") -> bytes:
    """The zip of month folders police.uk's download gives, with an outcomes and a
    stop-and-search file beside each street file (never to be read)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for month, rows in months.items():
            folder = f"{month:%Y-%m}"
            archive.writestr(f"{folder}/{street_file_name(month, force_slug)}", street_csv(rows))
            archive.writestr(
                f"{folder}/{month:%Y-%m}-{force_slug}-stop-and-search.csv",
                "Type,Date,Gender,Age range,Self-defined ethnicity\n",
            )
            archive.writestr(f"{folder}/{month:%Y-%m}-{force_slug}-outcomes.csv", "Crime ID\n")
    return buffer.getvalue()
