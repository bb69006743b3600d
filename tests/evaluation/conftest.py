import datetime
import json

import pytest

from evaluation.models import CrimeArea, CrimeImport, CrimeMonth, CrimeRecord, Evaluation
from tests.factories import AreaFactory, OperationFactory

# Six months before (Jan-Jun 2024) and six after (Jul-Dec 2024).
BEFORE = [datetime.date(2024, m, 1) for m in range(1, 7)]
AFTER = [datetime.date(2024, m, 1) for m in range(7, 13)]

# Monthly counts of drug offences (worked through by hand in test_analysis.py).
OPERATION = ([35, 5, 30, 10, 25, 15], [20, 0, 15, 5, 12, 8])  # 120 -> 60
BUFFER = ([15, 12, 14, 13, 13, 13], [12, 12, 11, 12, 12, 11])  # 80 -> 70
COMPARISON = ([50, 20, 45, 25, 40, 20], [45, 15, 40, 20, 35, 25])  # 200 -> 180

# A square about 220 m across in the operation area; the buffer is a 400 m ring around it.
SQUARE = [[-1.5020, 53.8010], [-1.4990, 53.8010], [-1.4990, 53.7990], [-1.5020, 53.7990]]
OPERATION_POINT = (-1.5005, 53.8000)
BUFFER_POINT = (-1.5005, 53.8030)  # ~220 m north of the square's centre, in the ring
COMPARISON_LSOA, OPERATION_LSOA = "E01033333", "E01011111"


def square_geojson(square=SQUARE) -> str:
    ring = [*square, square[0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def add_month(month, records, *, force="Harbridge Constabulary"):
    """A live force-month holding ``records`` (crime type, lsoa, lon, lat) tuples."""
    crime_import, _ = CrimeImport.objects.get_or_create(file_name="test.csv")
    crime_month = CrimeMonth.objects.create(
        crime_import=crime_import,
        source=f"{month:%Y-%m}",
        reported_by=force,
        month=month,
        status=CrimeMonth.LIVE,
        row_count=len(records),
    )
    CrimeRecord.objects.bulk_create(
        CrimeRecord(
            crime_month=crime_month,
            month=month,
            crime_type=crime_type,
            lsoa_code=lsoa,
            longitude=lon,
            latitude=lat,
        )
        for crime_type, lsoa, lon, lat in records
    )


@pytest.fixture
def constructed(db):
    """The three areas and a year of constructed drug offences, plus a little noise: a
    burglary in each area every month (not chosen) and crimes elsewhere."""
    operation_area = CrimeArea.objects.create(
        name="Larch estate", lsoa_codes_2011=OPERATION_LSOA, boundary=square_geojson()
    )
    from evaluation.services import crime_area_ring_create

    buffer_area = crime_area_ring_create(around=operation_area, width_m=400)
    comparison_area = CrimeArea.objects.create(name="Northgate", lsoa_codes_2021=COMPARISON_LSOA)
    for i, month in enumerate(BEFORE + AFTER):
        period, j = (0, i) if i < 6 else (1, i - 6)
        records = []
        records += [("drugs", OPERATION_LSOA, *OPERATION_POINT)] * OPERATION[period][j]
        records += [("drugs", "E01022222", *BUFFER_POINT)] * BUFFER[period][j]
        records += [("drugs", COMPARISON_LSOA, None, None)] * COMPARISON[period][j]
        records += [("burglary", OPERATION_LSOA, *OPERATION_POINT)]
        records += [("drugs", "E01099999", -1.0, 53.0)] * 7  # elsewhere in the force
        add_month(month, records)
    area = AreaFactory(name="Eastfield", slug="eastfield")
    operation = OperationFactory(
        name="Operation Lantern",
        start_date=datetime.date(2024, 7, 1),
        arrest_day=datetime.date(2024, 8, 14),
        end_date=datetime.date(2024, 12, 31),
    )
    operation.areas.set([area])
    return Evaluation.objects.create(
        name="Lantern: Larch estate",
        operation=operation,
        operation_area=operation_area,
        buffer_area=buffer_area,
        comparison_area=comparison_area,
        crime_types=["drugs", "anti-social-behaviour"],
        before_start=BEFORE[0],
        before_end=BEFORE[-1],
        after_start=AFTER[0],
        after_end=AFTER[-1],
    )
