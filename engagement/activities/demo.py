"""Demo activity calendar: a year of recurring activities."""

import datetime

from django.utils import timezone
from signpost import roles

from .models import Activity

# (mode, title, area slug or None, audience, every n months, day of month)
RECURRING_ACTIVITIES = [
    ("email_newsletter", "Email newsletter", None, "Residents signed up for updates", 1, 5),
    ("forum_meeting", "Eastfield community forum", "eastfield", "Consult quadrant", 1, 12),
    (
        "forum_meeting",
        "Canal Quarter residents' meeting",
        "canal-quarter",
        "Consult quadrant",
        2,
        19,
    ),
    ("leaflet_drop", "Leaflet drop, Eastfield", "eastfield", "Households", 3, 8),
    ("leaflet_drop", "Leaflet drop, Canal Quarter", "canal-quarter", "Households", 3, 9),
    ("presentation", "Progress presentation to partners", None, "Inform quadrant", 3, 22),
    ("one_to_one", "One-to-one with ward councillors", None, "Involve quadrant", 2, 26),
    ("press_release", "Press release on progress", None, "Local media", 3, 15),
]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    return datetime.date(day.year + month_index // 12, month_index % 12 + 1, 1)


def load_activities(demo, owner) -> int:
    today = timezone.localdate()
    start = _add_months(today.replace(day=1), -6)
    count = 0
    for offset in range(12):
        month = _add_months(start, offset)
        for mode, title, area_slug, audience, every, day in RECURRING_ACTIVITIES:
            if offset % every:
                continue
            planned_on = month.replace(day=day)
            # The past is mostly delivered, a day or two late at times; two slipped.
            slipped = planned_on < today and (offset, day) in {(4, 12), (5, 8)}
            delivered_on = None
            if planned_on < today and not slipped:
                delivered_on = min(planned_on + datetime.timedelta(days=offset % 3), today)
            # One demo activity per mode and day: a renamed or rescheduled-as-delivered
            # one is kept as it is, not made again.
            if not Activity.objects.filter(mode=mode, planned_on=planned_on).exists():
                Activity.objects.create(
                    title=f"{title} ({planned_on:%B %Y})",
                    mode=mode,
                    planned_on=planned_on,
                    area=demo.areas.get(area_slug) if area_slug else None,
                    operation=demo.operation,
                    audience=audience,
                    owner=owner,
                    delivered_on=delivered_on,
                )
            count += 1
    arrest_day = demo.operation.arrest_day
    for mode, title in (
        ("door_to_door", "Reassurance door-to-door calls"),
        ("removable_signs", "Removable signs at warrant addresses"),
    ):
        if not Activity.objects.filter(
            mode=mode, planned_on=arrest_day, operation=demo.operation
        ).exists():
            Activity.objects.create(
                title=f"{title}, {demo.operation.name}",
                mode=mode,
                planned_on=arrest_day,
                area=demo.areas["eastfield"],
                operation=demo.operation,
                audience="Residents near the warrant addresses",
                owner=demo.users.get(roles.NEIGHBOURHOOD_TEAM),
                delivered_on=arrest_day,
            )
        count += 1
    return count
