"""Demo areas and operation for the fictional town of Harbridge."""

import datetime

from django.utils import timezone

from .models import Area, Operation

AREAS = [
    {
        "name": "Eastfield",
        "slug": "eastfield",
        "description": "Post-war estate east of the ring road, around Eastfield Parade shops.",
        "postcode_prefixes": "HB4 2, HB4 3",
        "streets": "Eastfield Parade\nCoronation Road\nLarch Close\nMeadow Way\nSpinney Walk",
        "household_count": 2140,
    },
    {
        "name": "Canal Quarter",
        "slug": "canal-quarter",
        "description": "Terraced streets and new flats between the canal and the railway station.",
        "postcode_prefixes": "HB1 5, HB1 6",
        "streets": "Wharf Street\nLock Lane\nTowpath Row\nStation Approach\nMill Yard",
        "household_count": 1585,
    },
    {
        "name": "Northgate",
        "slug": "northgate",
        "description": "Town-centre edge: Northgate high street, the bus station and nearby flats.",
        "postcode_prefixes": "HB2",
        "streets": "Northgate\nBus Station Square\nChapel Street\nFoundry Court",
        "household_count": 1870,
        "is_comparison_area": True,
    },
]


def load(demo) -> None:
    for row in AREAS:
        area, _ = Area.objects.get_or_create(slug=row["slug"], defaults=row)
        demo.areas[area.slug] = area

    today = timezone.localdate()
    operation, created = Operation.objects.get_or_create(
        slug="operation-lantern",
        defaults={
            "name": "Operation Lantern",
            "start_date": today - datetime.timedelta(days=120),
            "arrest_day": today - datetime.timedelta(days=30),
            "end_date": today + datetime.timedelta(days=150),
            "public_summary": (
                "Police and partners are closing down open drug dealing around Eastfield Parade "
                "and the Canal Quarter, and offering fast-track treatment to people who use drugs."
            ),
        },
    )
    if created:
        operation.areas.set([demo.areas["eastfield"], demo.areas["canal-quarter"]])
    demo.operation = operation
    demo.say(f"{len(AREAS)} areas and {operation.name}")
