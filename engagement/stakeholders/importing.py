"""Reading a CSV of stakeholders for the bulk import, and checking every row by the
admin's own rules before anything is written.

The file's columns are the register's CSV export headings (so an export can be edited and
imported), plus *Reason for the scores*; the three columns Signpost works out itself
(quadrant, last engaged, next action due) are accepted and ignored. Problems are reported
as a spreadsheet shows them: the heading row is row 1 and each record is one row, however
many lines a quoted cell spans. Nothing here writes: ``services.stakeholders_import`` does.
"""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings

from engagement.places.models import Area

from .forms import StakeholderImportRowForm
from .models import INFLUENCE_MEANINGS, INTEREST_MEANINGS, Stakeholder

DEFAULT_MAX_BYTES = 1_000_000
DEFAULT_MAX_ROWS = 500
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class ImportColumn:
    heading: str
    field: str
    help: str
    required: bool = False


COLUMNS = [
    ImportColumn("Name", "name", "The person's or group's name.", required=True),
    ImportColumn("Organisation", "organisation", "Who they belong to, if anyone."),
    ImportColumn("Position", "position", "Role or job title."),
    ImportColumn("Type", "stakeholder_type", "One of the types below.", required=True),
    ImportColumn("Areas", "areas", "Names or short names of the areas below, separated by commas."),
    ImportColumn("Email", "email", "An email address."),
    ImportColumn("Phone", "phone", "A phone number."),
    ImportColumn("Address", "address", "A postal address."),
    ImportColumn("Preferred channel", "preferred_channel", "One of the channels below."),
    ImportColumn(
        "Lawful basis",
        "lawful_basis",
        "Why Signpost may hold their details: one of the bases below.",
        required=True,
    ),
    ImportColumn(
        "Consent to contact",
        "consent_to_contact",
        "Yes or no. Yes needs the date in the next column; the basis Consent needs yes.",
    ),
    ImportColumn("Consent recorded on", "consent_recorded_on", "The date consent was given."),
    ImportColumn("On the newsletter list", "newsletter_list", "Yes or no."),
    ImportColumn("Interest", "score_interest", "A score from 1 to 5 (meanings below)."),
    ImportColumn("Influence", "score_influence", "A score from 1 to 5 (meanings below)."),
    ImportColumn("Assessed on", "score_assessed_on", "Date of the scores; today if blank."),
    ImportColumn(
        "Reason for the scores",
        "score_reason",
        "Required with scores: who said or did what. Not in the export: add it.",
    ),
    ImportColumn("Notes", "notes", "Anything else worth knowing."),
]
# In the export, but worked out by Signpost from the scores and the engagement log.
IGNORED_HEADINGS = ["Quadrant", "Last engaged on", "Next action due"]
COLUMN_FOR_FIELD = {column.field: column.heading for column in COLUMNS}
CHOICE_FIELDS = {
    "stakeholder_type": Stakeholder.Type,
    "lawful_basis": Stakeholder.LawfulBasis,
    "preferred_channel": Stakeholder.Channel,
}
BOOLEAN_FIELDS = ("consent_to_contact", "newsletter_list")
DATE_FORMATS_HELP = "YYYY-MM-DD (as the export writes them) or DD/MM/YYYY"


@dataclass(frozen=True)
class ImportProblem:
    """One thing wrong with the file: where a spreadsheet user will find it, and what."""

    row: int | None
    column: str
    message: str


@dataclass
class ImportRow:
    row: int
    form: StakeholderImportRowForm
    areas: list[Area]


@dataclass
class StakeholderImportCheck:
    filename: str
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def is_clean(self) -> bool:
        return not self.problems and bool(self.rows)


def max_bytes() -> int:
    return int(getattr(settings, "SIGNPOST_STAKEHOLDER_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "SIGNPOST_STAKEHOLDER_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def size_label(size: int) -> str:
    """Sizes as people read them: 1,000,000 bytes is '1 MB'."""
    for unit, factor in (("MB", 1_000_000), ("KB", 1_000)):
        if size >= factor:
            return f"{size / factor:.3g} {unit}"
    return f"{size} bytes"


def template_headings() -> list[str]:
    return [column.heading for column in COLUMNS]


def _normal(text: str) -> str:
    """Case and spacing do not tell two names apart: ' Joan  AVERY ' is 'joan avery'."""
    return " ".join((text or "").split()).casefold()


def stakeholder_key(name: str, organisation: str) -> tuple[str, str]:
    return _normal(name), _normal(organisation)


def choice_value(choices, text: str) -> str:
    """A choice written as its label ('Elected member', as exported) or its stored value."""
    wanted = _normal(text)
    for value, label in choices.choices:
        if wanted in (_normal(value), _normal(label)):
            return value
    return text


def _file_problem(message: str, *, row: int | None = None, column: str = "") -> ImportProblem:
    return ImportProblem(row=row, column=column, message=message)


def _decode(data: bytes) -> tuple[str | None, ImportProblem | None]:
    if not data.strip():
        return None, _file_problem("The file is empty.")
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        return None, _file_problem(
            "This is a spreadsheet workbook, not a CSV file. In your spreadsheet program "
            "use Save as (or Download as) and choose “CSV UTF-8”."
        )
    if b"\x00" in data[:8192]:
        return None, _file_problem(
            "This is not a text file (it contains binary data). Upload a CSV file saved "
            "as “CSV UTF-8”."
        )
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, _file_problem(
            f"The file is not UTF-8 text (unreadable byte at position {error.start + 1}). "
            "Save it again choosing “CSV UTF-8” and upload that."
        )


def _delimiter(text: str) -> str:
    """Spreadsheets in some countries save CSV with semicolons; follow the heading row."""
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _records(text: str) -> tuple[list[list[str]], ImportProblem | None]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    records = []
    try:
        for record in reader:
            records.append(record)
            if len(records) > max_rows() + 1:
                break
    except csv.Error as error:
        return records, _file_problem(
            f"The file is not valid CSV from here on ({error}). Check the quotes in this "
            "row, or save the file again from your spreadsheet program.",
            row=len(records) + 1,
        )
    return records, None


def _read_headings(header: list[str]):
    """Map each heading to its column, or report what is wrong with the heading row."""
    known = {_normal(c.heading): c for c in COLUMNS}
    ignored = {_normal(h) for h in IGNORED_HEADINGS}
    positions: dict[str, int] = {}
    problems = []
    unknown = []
    for index, heading in enumerate(header):
        normal = _normal(heading)
        if not normal or normal in ignored:
            continue
        column = known.get(normal)
        if column is None:
            unknown.append(heading.strip())
            problems.append(
                _file_problem(
                    "Unknown column. Use the headings of the template (see the list below), "
                    "or delete the column.",
                    row=1,
                    column=heading.strip(),
                )
            )
        elif column.field in positions:
            problems.append(
                _file_problem("This column appears twice.", row=1, column=column.heading)
            )
        else:
            positions[column.field] = index
    if not positions:
        return positions, [
            _file_problem(
                "The first row must hold the column headings (Name, Type, Lawful basis …), "
                "but none of its cells is a known heading. Start from the template.",
                row=1,
            )
        ]
    for column in COLUMNS:
        if column.required and column.field not in positions:
            problems.append(
                _file_problem(
                    "Required column missing: add it to the heading row.",
                    row=1,
                    column=column.heading,
                )
            )
    return positions, problems


def _row_data(cells: dict[str, str], areas_by_name: dict[str, Area]):
    """Spreadsheet text → form data, with the problems that text alone shows."""
    data: dict = {}
    problems: dict[str, str] = {}
    for column in COLUMNS:
        value = cells.get(column.field, "").strip()
        if column.field in CHOICE_FIELDS:
            value = choice_value(CHOICE_FIELDS[column.field], value) if value else ""
        elif column.field in BOOLEAN_FIELDS:
            if value.casefold() in YES:
                value = True
            elif value.casefold() in NO:
                value = False
            else:
                problems[column.field] = f"Write yes or no, not “{value}”."
                value = False
        elif column.field == "areas":
            names, value = value.replace(";", ",").split(","), []
            for name in (part.strip() for part in names):
                area = areas_by_name.get(_normal(name)) if name else None
                if area is None and name:
                    known = ", ".join(sorted({a.name for a in areas_by_name.values()}))
                    problems[column.field] = (
                        f"No area called “{name}”. Areas: {known or 'none yet'}."
                    )
                elif area is not None and area not in value:
                    value.append(area)
        data[column.field] = value
    return data, problems


def stakeholder_import_check(*, file, filename: str = "") -> StakeholderImportCheck:
    """Read and check the whole file, collecting every problem rather than the first.

    ``check.rows`` holds a valid, unsaved form per stakeholder; it is only worth saving
    when ``check.problems`` is empty.
    """
    filename = filename or getattr(file, "name", "") or "the file"
    check = StakeholderImportCheck(filename=filename)
    limit = max_bytes()
    data = file.read(limit + 1)
    if len(data) > limit:
        check.problems.append(
            _file_problem(
                f"The file is larger than {size_label(limit)}, the most Signpost imports "
                "at once. Split it into smaller files and import each."
            )
        )
        return check
    text, problem = _decode(data)
    if problem:
        check.problems.append(problem)
        return check
    records, problem = _records(text)
    if len(records) > max_rows() + 1:
        check.problems.append(
            _file_problem(
                f"The file has more than {max_rows():,} stakeholders, the most Signpost "
                "imports at once. Split it into smaller files and import each."
            )
        )
        return check
    if problem:
        # A row that cannot be read makes every later row doubtful: report it alone.
        check.problems.append(problem)
        return check
    header, body = (records[0], records[1:]) if records else ([], [])
    positions, heading_problems = _read_headings(header)
    check.problems.extend(heading_problems)
    if not positions:
        return check
    width = len(header)
    # A missing required column is reported once, on the heading row, not on every row.
    missing = {c.field for c in COLUMNS if c.required and c.field not in positions}

    areas_by_name = {}
    for area in Area.objects.all():
        areas_by_name[_normal(area.slug)] = area
        areas_by_name[_normal(area.name)] = area
    in_register = {
        stakeholder_key(name, organisation): (name, organisation)
        for name, organisation in Stakeholder.objects.values_list("name", "organisation")
    }
    first_row_of: dict[tuple[str, str], int] = {}
    column_order = {c.field: n for n, c in enumerate(COLUMNS)}

    for offset, record in enumerate(body):
        row = offset + 2
        if not any(cell.strip() for cell in record):
            continue  # a blank line in the spreadsheet
        row_problems = []
        if len(record) > width and any(cell.strip() for cell in record[width:]):
            row_problems.append(
                ImportProblem(row, "", "This row has more cells than the heading row has columns.")
            )
        cells = {f: record[i] if i < len(record) else "" for f, i in positions.items()}
        form_data, text_problems = _row_data(cells, areas_by_name)
        form = StakeholderImportRowForm(data=form_data)
        form.is_valid()
        errors = {f: [message] for f, message in text_problems.items()}
        for field_name, messages in form.errors.items():
            if field_name not in errors and field_name not in missing:
                errors[field_name] = messages
        name = cells.get("name", "").strip()
        if name:
            key = stakeholder_key(name, cells.get("organisation", ""))
            if key in first_row_of:
                errors.setdefault("name", []).append(
                    f"Duplicate of row {first_row_of[key]}: same name and organisation."
                )
            elif key in in_register:
                existing_name, existing_org = in_register[key]
                existing = f"{existing_name} ({existing_org})" if existing_org else existing_name
                errors.setdefault("name", []).append(
                    f"Already in the register as “{existing}”: same name and organisation."
                )
            else:
                first_row_of[key] = row
        for field_name in sorted(errors, key=lambda f: column_order.get(f, -1)):
            column = COLUMN_FOR_FIELD.get(field_name, "")
            for message in errors[field_name]:
                row_problems.append(ImportProblem(row, column, message))
        if row_problems:
            check.problems.extend(row_problems)
        else:
            check.rows.append(ImportRow(row=row, form=form, areas=form_data["areas"]))
    if not heading_problems and not check.rows and not check.problems:
        check.problems.append(
            _file_problem("The file has its heading row but no stakeholders below it.")
        )
    return check


def stakeholder_import_help() -> dict:
    """What the import page tells a user about the columns and their allowed values."""
    return {
        "columns": COLUMNS,
        "ignored_headings": ", ".join(IGNORED_HEADINGS[:-1]) + " and " + IGNORED_HEADINGS[-1],
        "types": Stakeholder.Type.choices,
        "lawful_bases": Stakeholder.LawfulBasis.choices,
        "channels": Stakeholder.Channel.choices,
        "areas": list(Area.objects.order_by("name").values_list("name", "slug")),
        "score_meanings": [(n, INTEREST_MEANINGS[n], INFLUENCE_MEANINGS[n]) for n in range(1, 6)],
        "date_formats": DATE_FORMATS_HELP,
        "max_size": size_label(max_bytes()),
        "max_rows": max_rows(),
    }
