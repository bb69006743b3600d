"""Demo data of the crime evaluation: generated police.uk street files for Harbridge's
areas, labelled synthetic everywhere they show (the force is "Harbridge Constabulary
(synthetic demo data)"), imported through the same import as real files, and an
evaluation of Operation Lantern in Eastfield against Northgate.

The files are made month by month from a seed of the month, so they are the same on
every run; a month already imported is left alone, and areas and the evaluation are
only created when missing, so edits made in the admin survive ``make run``.
"""

import datetime
import io
import json
import math
import random
import tempfile
import zipfile

from django.utils import timezone

from . import geography
from .models import CrimeArea, CrimeImport, CrimeMonth, Evaluation
from .police_uk import street_file_name, write_rows
from .services import crime_area_ring_create, crime_import_execute

FORCE = "Harbridge Constabulary (synthetic demo data)"
FORCE_SLUG = "harbridge-synthetic"
# A fictional town: the shapes sit on open ground, the codes are not real LSOAs (E0109…).
EASTFIELD = [[-2.060, 52.952], [-2.048, 52.953], [-2.046, 52.945], [-2.058, 52.943]]
NORTHGATE = [[-2.032, 52.972], [-2.020, 52.972], [-2.020, 52.964], [-2.032, 52.964]]
TOWN = (-2.085, 52.930, -2.000, 52.990)
EASTFIELD_LSOAS = ["E01099101", "E01099102", "E01099103"]
NORTHGATE_LSOAS = ["E01099201", "E01099202"]
BUFFER_LSOA, TOWN_LSOAS = "E01099150", [f"E01099{n}" for n in range(300, 340)]

# Mean a month before the operation, and the factor after it, by crime type and zone.
PATTERN = {
    "Anti-social behaviour": {
        "eastfield": (34, 0.5),
        "buffer": (22, 0.85),
        "northgate": (30, 1.0),
    },
    "Drugs": {"eastfield": (14, 0.55), "buffer": (6, 0.9), "northgate": (9, 1.0)},
    "Possession of weapons": {"eastfield": (4, 0.6), "buffer": (2, 1.0), "northgate": (3, 1.0)},
    "Violence and sexual offences": {
        "eastfield": (26, 0.8),
        "buffer": (18, 0.95),
        "northgate": (24, 1.0),
    },
    "Burglary": {"eastfield": (7, 0.9), "buffer": (6, 1.0), "northgate": (6, 1.0)},
    "Shoplifting": {"eastfield": (9, 1.0), "buffer": (4, 1.0), "northgate": (15, 1.0)},
}
TOWN_PER_MONTH = 260


def _month_add(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count (Knuth's method), a little overdispersed as real crime is."""
    mean *= rng.gammavariate(40, 1 / 40)
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _point_in(rng: random.Random, shape) -> tuple[float, float]:
    west, south, east, north = shape.bounds
    while True:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if geography.points_inside(shape, [lon], [lat])[0]:
            return round(lon, 6), round(lat, 6)


def street_rows(month: datetime.date, *, operation_start: datetime.date, shapes: dict):
    """One month's rows for the whole synthetic force, in police.uk's columns."""
    rng = random.Random(f"harbridge-{month:%Y-%m}")  # noqa: S311 (demo data)
    after = month >= operation_start.replace(day=1)
    season = 1 + 0.15 * math.sin(2 * math.pi * (month.month - 4) / 12)
    rows = []
    for crime_type, zones in PATTERN.items():
        for zone, (mean, factor) in zones.items():
            for _ in range(_poisson(rng, mean * season * (factor if after else 1))):
                lon, lat = _point_in(rng, shapes[zone])
                lsoa = {
                    "eastfield": rng.choice(EASTFIELD_LSOAS),
                    "buffer": BUFFER_LSOA,
                    "northgate": rng.choice(NORTHGATE_LSOAS),
                }[zone]
                rows.append((crime_type, lon, lat, lsoa))
    for _ in range(_poisson(rng, TOWN_PER_MONTH * season)):
        west, south, east, north = TOWN
        crime_type = rng.choice(list(PATTERN))
        point = (round(rng.uniform(west, east), 6), round(rng.uniform(south, north), 6))
        if any(geography.points_inside(s, [point[0]], [point[1]])[0] for s in shapes.values()):
            continue
        rows.append((crime_type, *point, rng.choice(TOWN_LSOAS)))
    rng.shuffle(rows)
    return [
        [
            "" if crime_type == "Anti-social behaviour" else f"{rng.getrandbits(64):016x}",
            f"{month:%Y-%m}",
            FORCE,
            FORCE,
            lon,
            lat,
            "On or near a synthetic street",
            lsoa,
            f"Harbridge (synthetic) {lsoa[-3:]}",
            crime_type,
            ""
            if crime_type == "Anti-social behaviour"
            else "Investigation complete; no suspect identified",
            "",
        ]
        for crime_type, lon, lat, lsoa in rows
    ]


def _polygon(square) -> str:
    ring = [*square, square[0]]
    return geography.boundary_dump(
        geography.boundary_parse(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    )


def load(demo) -> None:
    eastfield, _ = CrimeArea.objects.get_or_create(
        name="Eastfield (operation area)",
        defaults={
            "area": demo.areas.get("eastfield"),
            "lsoa_codes_2021": " ".join(EASTFIELD_LSOAS),
            "boundary": _polygon(EASTFIELD),
            "notes": "Synthetic demo geography: the codes are not real LSOAs.",
        },
    )
    buffer = CrimeArea.objects.filter(buffer_of=eastfield).first() or crime_area_ring_create(
        around=eastfield, width_m=400, name="Eastfield: 400 m buffer"
    )
    northgate, _ = CrimeArea.objects.get_or_create(
        name="Northgate (comparison area)",
        defaults={
            "area": demo.areas.get("northgate"),
            "lsoa_codes_2021": " ".join(NORTHGATE_LSOAS),
            "boundary": _polygon(NORTHGATE),
            "notes": "Synthetic demo geography: the codes are not real LSOAs.",
        },
    )
    operation = demo.operation
    last_month = _month_add(timezone.localdate().replace(day=1), -1)
    start_month = operation.start_date.replace(day=1)
    first_month = _month_add(start_month, -12)
    shapes = {
        "eastfield": geography.boundary_parse(eastfield.boundary),
        "buffer": geography.ring_around(geography.boundary_parse(eastfield.boundary), 400),
        "northgate": geography.boundary_parse(northgate.boundary),
    }
    have = set(CrimeMonth.objects.live().filter(reported_by=FORCE).values_list("month", flat=True))
    months, month = [], first_month
    while month <= last_month:
        if month not in have:
            months.append(month)
        month = _month_add(month, 1)
    if months:
        with tempfile.NamedTemporaryFile(suffix=".zip") as upload:
            with zipfile.ZipFile(upload, "w", zipfile.ZIP_DEFLATED) as archive:
                for month in months:
                    text = io.StringIO()
                    write_rows(
                        street_rows(month, operation_start=operation.start_date, shapes=shapes),
                        text,
                    )
                    archive.writestr(
                        f"{month:%Y-%m}/{street_file_name(month, FORCE_SLUG)}", text.getvalue()
                    )
            upload.flush()
            crime_import = CrimeImport.objects.create(
                file_name=f"{FORCE_SLUG}.zip (synthetic demo data, not real crime)"
            )
            crime_import_execute(
                crime_import=crime_import, paths=[upload.name], names=[crime_import.file_name]
            )
    Evaluation.objects.filter(operation=operation).exists() or Evaluation.objects.create(
        **{
            "name": "Operation Lantern: Eastfield (synthetic data)",
            "operation": operation,
            "operation_area": eastfield,
            "buffer_area": buffer,
            "comparison_area": northgate,
            "crime_types": [
                "drugs",
                "anti-social-behaviour",
                "possession-of-weapons",
                "violent-crime",
            ],
            "before_start": first_month,
            "before_end": _month_add(start_month, -1),
            "after_start": start_month,
            "after_end": last_month,
        }
    )
    demo.say(
        f"Crime evaluation: {len(months)} synthetic police.uk months imported, Eastfield against Northgate"
    )
