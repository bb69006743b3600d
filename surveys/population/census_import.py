"""Reading a Census 2021 table as downloaded from Nomis into one question's margin.

Two layouts are read, both as Nomis gives them:

- the **bulk download** (nomisweb.co.uk, "Census 2021 bulk data"), e.g.
  ``census2021-ts008-lsoa.csv``: a header ``date,geography,geography code,Sex: All
  persons; measures: Value,Sex: Female; measures: Value,…`` and one row per area;
- a **query download** (Nomis "Query data" → CSV): a few lines naming the table first,
  then a header whose code column is ``mnemonic`` (or ``geography code``) followed by one
  column per category, and notes after the rows.

Columns are matched to the profile question's answers by their census category names
(``CATEGORIES``). Sub-categories (``Owned: Owns outright``) are left out, their parent
(``Owned``) counted. The rows of the census areas making up the Signpost area are added
up; each row's categories must add up to its total. For age, the census's 15-to-19 band
is split: four fifths of it are counted as 16 to 19, since the survey asks residents
aged 16 and over.
"""

import codecs
import csv
import io
import math
from dataclasses import dataclass

from ..profile import PROFILE

# Census category name (lower case) → (answer value, fraction counted). A fraction of 0
# marks a category recognised but outside the survey's population (children's ages).
CATEGORIES: dict[str, dict[str, tuple[str | None, float]]] = {
    "profile_age": {
        "aged 4 years and under": (None, 0),
        "aged 5 to 9 years": (None, 0),
        "aged 10 to 14 years": (None, 0),
        "aged 15 to 19 years": ("16_24", 0.8),
        "aged 20 to 24 years": ("16_24", 1),
        "aged 25 to 29 years": ("25_34", 1),
        "aged 30 to 34 years": ("25_34", 1),
        "aged 35 to 39 years": ("35_49", 1),
        "aged 40 to 44 years": ("35_49", 1),
        "aged 45 to 49 years": ("35_49", 1),
        "aged 50 to 54 years": ("50_64", 1),
        "aged 55 to 59 years": ("50_64", 1),
        "aged 60 to 64 years": ("50_64", 1),
        "aged 65 to 69 years": ("65_plus", 1),
        "aged 70 to 74 years": ("65_plus", 1),
        "aged 75 to 79 years": ("65_plus", 1),
        "aged 80 to 84 years": ("65_plus", 1),
        "aged 85 years and over": ("65_plus", 1),
    },
    "profile_sex": {"female": ("female", 1), "male": ("male", 1)},
    "profile_tenure": {
        "owned": ("owned", 1),
        "shared ownership": ("owned", 1),
        "social rented": ("social_rented", 1),
        "private rented": ("private_rented", 1),
        "lives rent free": ("private_rented", 1),
    },
    "profile_ethnic_group": {
        "asian, asian british or asian welsh": ("asian", 1),
        "black, black british, black welsh, caribbean or african": ("black", 1),
        "mixed or multiple ethnic groups": ("mixed", 1),
        "white": ("white", 1),
        "other ethnic group": ("other", 1),
    },
}
VARIABLES = {"age", "sex", "tenure of household", "ethnic group"}
CODE_HEADERS = {"geography code", "mnemonic", "geography_code"}
MAX_BYTES = 20 * 1024 * 1024
# More people than any census area (or England) holds: a larger figure is a broken file.
MAX_COUNT = 100_000_000
# The longest cell a Nomis table has is a category's name; far longer is not its table.
MAX_CELL = 1_000
# How much of a cell a message quotes.
SHOWN = 60


class CensusImportError(Exception):
    """The file cannot be read as the table asked for; ``problems`` names each fault."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CensusMargin:
    key: str
    counts: dict[str, int]
    rows: int
    title: str
    notes: tuple[str, ...] = ()


def _label_path(header: str) -> list[str]:
    """'Tenure of household: Owned: Owns outright; measures: Value' → ['owned', 'owns
    outright']; the variable's name dropped."""
    label = header.split("; measures:")[0].strip()
    parts = [p.strip() for p in label.split(": ")]
    if len(parts) > 1 and parts[0].lower() in VARIABLES:
        parts = parts[1:]
    return [p.lower() for p in parts]


def _number(text: str) -> float | None:
    """A count: a finite number from 0 to ``MAX_COUNT`` ('1,234' too), else None."""
    try:
        value = float(text.replace(",", "").strip())
    except ValueError:
        return None
    if not math.isfinite(value) or not 0 <= value <= MAX_COUNT:
        return None
    return value


def _shown(text: str) -> str:
    text = text.strip()
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _text(data: bytes) -> str:
    """The file's text, whichever encoding a spreadsheet saved it in: UTF-8 (with or
    without a byte-order mark), UTF-16 (Excel's "Unicode text"), or Windows-1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif data[1:200:2].count(0) > 20:
        encodings = ["utf-16-le"]  # UTF-16 without its mark: every other byte empty
    elif data[0:200:2].count(0) > 20:
        encodings = ["utf-16-be"]
    else:
        encodings = ["utf-8-sig", "cp1252", "latin-1"]
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CensusImportError(
        ["The file's text cannot be read: save it from Nomis or your spreadsheet as CSV."]
    )


def _rows(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text))
    rows = []
    try:
        for row in reader:
            if any(len(cell) > MAX_CELL for cell in row):
                raise CensusImportError(
                    [
                        f"Line {reader.line_num} has a value over {MAX_CELL:,} characters "
                        "long: this is not a census table as Nomis gives it."
                    ]
                )
            rows.append(row)
    except csv.Error as error:
        raise CensusImportError(
            [f"Line {reader.line_num} cannot be read as CSV ({error}): upload the file unchanged."]
        ) from error
    return rows


def census_margin_read(data: bytes, *, key: str, codes: list[str]) -> CensusMargin:
    """Add up the rows of ``codes`` (all rows' one, when the file has a single area) of a
    Nomis CSV into ``key``'s margin, or raise ``CensusImportError`` naming what is wrong."""
    item = PROFILE[key]
    if len(data) > MAX_BYTES:
        raise CensusImportError([f"The file is over {MAX_BYTES // 1024 // 1024} MB."])
    rows = _rows(_text(data))
    title = next((r[0].strip() for r in rows if r and r[0].strip()), "")
    header_at = next(
        (i for i, r in enumerate(rows) if any(c.strip().lower() in CODE_HEADERS for c in r)),
        None,
    )
    if header_at is None:
        raise CensusImportError(
            [
                "No column of census area codes ('geography code' or 'mnemonic') was found: "
                "download the table from Nomis as CSV and upload it unchanged."
            ]
        )
    header = rows[header_at]
    code_column = next(i for i, c in enumerate(header) if c.strip().lower() in CODE_HEADERS)
    mapping = CATEGORIES[key]
    problems: list[str] = []
    columns: dict[int, tuple[str | None, float]] = {}
    total_column = None
    top_level: list[int] = []
    found_names = set()
    for i, cell in enumerate(header):
        if i <= code_column or not cell.strip():
            continue
        path = _label_path(cell)
        if "; measures: percent" in cell.lower():
            continue
        if path[0] == "total" or path[0].startswith("all "):
            total_column = i
            continue
        if len(path) > 1:
            continue  # a sub-category: its parent is counted
        if path[0] not in mapping:
            problems.append(
                f"Column '{_shown(cell)}' is not a category of {item.census_table}: is this "
                "the right table?"
            )
            continue
        columns[i] = mapping[path[0]]
        top_level.append(i)
        found_names.add(path[0])
    missing = [name for name in mapping if name not in found_names]
    if missing:
        problems.append(
            f"The file has no column for {', '.join(repr(m) for m in missing)}, which "
            f"{item.census_table} has: is this the right table?"
        )
    if problems:
        raise CensusImportError(problems)

    data_rows = {}
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if len(row) <= code_column or not row[code_column].strip():
            continue
        if len(row) < len(header):
            continue  # Nomis's notes under the table
        code = _shown(row[code_column]).upper()
        values = {}
        for i in [*top_level, *([total_column] if total_column is not None else [])]:
            value = _number(row[i])
            if value is None:
                problems.append(
                    f"Line {number} ({code}): '{_shown(row[i])}' under '{_shown(header[i])}' "
                    f"is not a count (a number from 0 to {MAX_COUNT:,})."
                )
            else:
                values[i] = value
        if len(values) == len(top_level) + (total_column is not None):
            if total_column is not None:
                added = sum(values[i] for i in top_level)
                if added != values[total_column]:
                    problems.append(
                        f"Line {number} ({code}): the categories add up to {added:,.0f} but "
                        f"the total says {values[total_column]:,.0f}."
                    )
            data_rows[code] = values
    if problems:
        raise CensusImportError(problems)
    if codes:
        absent = [c for c in codes if c not in data_rows]
        if absent:
            raise CensusImportError(
                [f"Not in the file: {', '.join(absent)}. Check the area's census area codes."]
            )
        chosen = [data_rows[c] for c in codes]
    elif len(data_rows) == 1:
        chosen = list(data_rows.values())
    else:
        raise CensusImportError(
            [
                f"The file covers {len(data_rows):,} census areas: list the codes of those "
                "that make up this area, so only they are added up."
                if data_rows
                else "The file has no rows of figures."
            ]
        )
    counts = dict.fromkeys(item.categories, 0.0)
    for values in chosen:
        for i in top_level:
            value, fraction = columns[i]
            if value is not None:
                counts[value] += fraction * values[i]
    notes = ()
    if key == "profile_age":
        notes = ("Residents aged 16 to 19 are taken as four fifths of the census's 15-to-19 band.",)
    return CensusMargin(
        key=key,
        counts={v: round(c) for v, c in counts.items()},
        rows=len(chosen),
        title=title if header_at > 0 else item.census_table,
        notes=notes,
    )
