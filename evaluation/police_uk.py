"""The police.uk street-level crime file, as forces publish it each month
(https://data.police.uk/about/#columns): one CSV per force and month,
``YYYY-MM-<force>-street.csv``, downloaded singly or as a zip of month folders.

This module knows the format and nothing else: the header, the crime types, and how one
row becomes the few anonymised fields Signpost keeps (month, force, crime type, the
anonymised map point and the LSOA code). The Crime ID, the street description, the
outcome and the context are never read into the database. A zip from police.uk's custom
download may also hold outcomes and stop-and-search files; stop-and-search files describe
people (age, sex, ethnicity), so they are never opened.
"""

import codecs
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import NamedTuple

HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]

# Crime types as police.uk names them, with the short key Signpost stores. The last two
# are the categories used before May 2013, which older downloads still carry.
CRIME_TYPES = {
    "Anti-social behaviour": "anti-social-behaviour",
    "Bicycle theft": "bicycle-theft",
    "Burglary": "burglary",
    "Criminal damage and arson": "criminal-damage-arson",
    "Drugs": "drugs",
    "Other crime": "other-crime",
    "Other theft": "other-theft",
    "Possession of weapons": "possession-of-weapons",
    "Public order": "public-order",
    "Robbery": "robbery",
    "Shoplifting": "shoplifting",
    "Theft from the person": "theft-from-the-person",
    "Vehicle crime": "vehicle-crime",
    "Violence and sexual offences": "violent-crime",
    "Violent crime": "violent-crime-pre-2013",
    "Public disorder and weapons": "public-disorder-weapons",
}
CRIME_TYPE_NAMES = {key: name for name, key in CRIME_TYPES.items()}
CRIME_TYPE_CHOICES = sorted(CRIME_TYPE_NAMES.items(), key=lambda item: item[1])

STREET_FILE_RE = re.compile(r"^(\d{4})-(\d{2})-(.+)-street\.csv$")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
LSOA_RE = re.compile(r"^[EW]01\d{6}$")


class FileProblem(ValueError):
    """What is wrong with a file, naming the file and the line."""


class Row(NamedTuple):
    """The fields Signpost keeps from one row (a tuple: a force-year is 300,000 of them)."""

    month: datetime.date
    reported_by: str
    crime_type: str
    longitude: float | None
    latitude: float | None
    lsoa_code: str
    month_text: str = ""


@dataclass(frozen=True)
class Source:
    """One street file: a CSV on disk, or a member of a zip. ``name`` is how messages
    name it (the zip member's path inside the zip)."""

    path: str
    name: str
    member: str = ""

    @contextmanager
    def open_text(self):
        """The file as text, read as it streams (the BOM police.uk files may carry is
        dropped)."""
        if not self.member:
            with open(self.path, encoding="utf-8-sig", newline="") as text:
                yield text
            return
        with (
            zipfile.ZipFile(self.path) as archive,
            archive.open(self.member) as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
        ):
            yield text


def sources_in(path: str, *, display_name: str = "") -> tuple[list[Source], list[str]]:
    """The street files in a CSV or a zip, in name order, and the names of the files in a
    zip that were left alone (outcomes, stop and search, anything else)."""
    display_name = display_name or PurePosixPath(path).name
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            names = sorted(n for n in archive.namelist() if not n.endswith("/"))
        street = [n for n in names if n.endswith("-street.csv")]
        if not street:
            raise FileProblem(
                f"{display_name}: the zip holds no street files (named YYYY-MM-<force>-street.csv)."
            )
        skipped = [n for n in names if n not in street]
        return [Source(path=path, name=n, member=n) for n in street], skipped
    return [Source(path=path, name=display_name)], []


# A street CSV compresses about tenfold; far more is a zip bomb, not police.uk's zip.
MAX_COMPRESSION_RATIO = 100
# A force's full history is a few thousand files.
MAX_ZIP_MEMBERS = 10_000


def _utf8_problem(stream, name: str) -> str | None:
    """Read a file through to its end as UTF-8, a chunk at a time; what is wrong, if
    anything, naming the line."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    line = 1
    while chunk := stream.read(1024 * 1024):
        try:
            line += decoder.decode(chunk).count("\n")
        except UnicodeDecodeError as error:
            line += chunk[: error.start].count(b"\n")
            return (
                f"{name}, line {line}: the text is not UTF-8, as police.uk writes it. "
                "Upload the file as downloaded, not saved again from a spreadsheet."
            )
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return f"{name}: the file ends part-way through a character: it is cut short."
    return None


def upload_problems(upload, *, name: str, max_unzipped_bytes: int) -> list[str]:
    """What makes an uploaded street CSV or zip unusable, found before it is stored or
    queued: a damaged zip, one that would unpack to far more than it is (declared sizes
    and ratios are checked before anything is unpacked), encrypted members, no street
    files, text that is not UTF-8. The upload is left at its start."""
    try:
        if not name.lower().endswith(".zip"):
            problem = _utf8_problem(upload, name)
            return [problem] if problem else []
        try:
            archive = zipfile.ZipFile(upload)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
            return [f"{name} is not a zip that can be opened: download it again."]
        with archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            if len(members) > MAX_ZIP_MEMBERS:
                return [f"{name} holds {len(members):,} files; police.uk's zips hold far fewer."]
            encrypted = [m.filename for m in members if m.flag_bits & 0x1]
            if encrypted:
                return [
                    f"{name}: {encrypted[0]} is encrypted. Upload the zip as police.uk gives it."
                ]
            declared = sum(m.file_size for m in members)
            if declared > max_unzipped_bytes:
                return [
                    f"{name} would unpack to {declared / 1e6:,.0f} MB; the most accepted is "
                    f"{max_unzipped_bytes / 1e6:,.0f} MB. Import a force's months in several zips."
                ]
            for member in members:
                if member.file_size > MAX_COMPRESSION_RATIO * max(member.compress_size, 1):
                    return [
                        f"{name}: {member.filename} is packed {member.file_size // max(member.compress_size, 1):,} "
                        "times smaller than it unpacks to; police.uk's files are not. "
                        "It is not accepted."
                    ]
            street = [m for m in members if m.filename.endswith("-street.csv")]
            if not street:
                return [f"{name} holds no street files (named YYYY-MM-<force>-street.csv)."]
            for member in street:
                try:
                    with archive.open(member) as raw:
                        problem = _utf8_problem(raw, member.filename)
                except (zipfile.BadZipFile, EOFError, OSError, RuntimeError, NotImplementedError):
                    problem = f"{name}: {member.filename} cannot be unpacked: download it again."
                if problem:
                    return [problem]
        return []
    finally:
        upload.seek(0)


def _number(value: str, column: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise FileProblem(f"{column} {value!r} is not a number") from None
    if not low <= number <= high:
        raise FileProblem(f"{column} {value} is outside {low:g} to {high:g}")
    return number


def _month(value: str) -> datetime.date:
    match = MONTH_RE.match(value)
    if not match or not 1 <= int(match[2]) <= 12:
        raise FileProblem(f"Month {value!r} is not a month written YYYY-MM")
    return datetime.date(int(match[1]), int(match[2]), 1)


def parse_row(cells: list[str], known: Row | None = None) -> Row:
    """One data row, checked; a ``FileProblem`` says what is wrong (without the line,
    which the reader adds). ``known`` is the file's first row: its month and force, the
    same on every row, are then not parsed again."""
    if len(cells) != 12:
        raise FileProblem(f"{len(cells)} columns where the header has {len(HEADER)}")
    _id, month_text, reported_by, _within, lon_text, lat_text, _loc, lsoa_code, *rest = cells
    if known is not None and month_text == known.month_text and reported_by == known.reported_by:
        month = known.month
    else:
        month = _month(month_text)
        reported_by = reported_by.strip()
        if not reported_by:
            raise FileProblem("Reported by is empty")
    crime_type = CRIME_TYPES.get(rest[1])
    if crime_type is None:
        crime_type = CRIME_TYPES.get(rest[1].strip())
        if crime_type is None:
            raise FileProblem(f"Crime type {rest[1]!r} is not one police.uk uses")
    longitude = latitude = None
    if lon_text or lat_text:
        if not (lon_text and lat_text):
            raise FileProblem("only one of Longitude and Latitude is given")
        # Forces in England and Wales, with Northern Ireland's and a margin.
        longitude = _number(lon_text, "Longitude", -9.0, 2.5)
        latitude = _number(lat_text, "Latitude", 49.0, 56.5)
    if lsoa_code and not LSOA_RE.match(lsoa_code):
        lsoa_code = lsoa_code.strip()
        if lsoa_code and not LSOA_RE.match(lsoa_code):
            raise FileProblem(f"LSOA code {lsoa_code!r} is not an LSOA code (E01… or W01…)")
    return Row(month, reported_by, crime_type, longitude, latitude, lsoa_code, month_text)


def read_rows(source: Source) -> Iterator[Row]:
    """The rows of one street file, streamed. The header must be police.uk's, and every
    row of a file must be for the same force and month (a police.uk file holds one of
    each); the first problem stops the reading with a ``FileProblem`` naming the line
    (the header is line 1)."""
    with source.open_text() as text:
        reader = csv.reader(text)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as error:
            raise FileProblem(f"{source.name}: not a UTF-8 CSV file ({error}).") from None
        if header is None:
            raise FileProblem(f"{source.name}: the file is empty.")
        if [h.strip() for h in header] != HEADER:
            raise FileProblem(
                f"{source.name}, line 1: the header is not police.uk's street file header "
                f"({', '.join(HEADER)})."
            )
        first = None
        line = 1
        try:
            for line, cells in enumerate(reader, start=2):  # noqa: B007 (line is used after)
                try:
                    row = parse_row(cells, first)
                    if first is None:
                        first = row
                    elif (row.month, row.reported_by) != (first.month, first.reported_by):
                        raise FileProblem(
                            f"{row.reported_by}, {row.month:%Y-%m} in a file of "
                            f"{first.reported_by}, {first.month:%Y-%m} (a street file "
                            "holds one force and one month)"
                        )
                except FileProblem as problem:
                    raise FileProblem(f"{source.name}, line {line}: {problem}.") from None
                yield row
        except (csv.Error, UnicodeDecodeError) as error:
            raise FileProblem(f"{source.name}, line {line + 1}: {error}.") from None


def street_file_name(month: datetime.date, force_slug: str) -> str:
    return f"{month:%Y-%m}-{force_slug}-street.csv"


def write_rows(rows, stream) -> None:
    """Write police.uk street rows (sequences in ``HEADER`` order) with the header, as
    police.uk writes them: comma separated, quoted only where needed, CRLF-free."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
