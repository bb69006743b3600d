"""Every write to the activity calendar."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from engagement.places.models import Area, Operation

from .models import Activity

# A planned activity counts as delivered by a Signpost action of the same mode and area
# this many days either side of its planned date.
PLANNED_MATCH_WINDOW_DAYS = 14


@transaction.atomic
def activity_record_delivered(
    *,
    source,
    mode: str,
    title: str,
    delivered_on: datetime.date,
    area: Area | None = None,
    operation: Operation | None = None,
    owner=None,
    audience: str = "",
) -> Activity:
    """Record in the activity calendar that Signpost delivered something.

    Idempotent per ``source``: calling it again for the same campaign, print run or release
    returns the existing record. A matching planned activity (same mode and area, not yet
    delivered, planned within the window) is marked delivered rather than duplicated.
    """
    source_type = ContentType.objects.get_for_model(source)
    existing = Activity.objects.filter(source_type=source_type, source_id=str(source.pk)).first()
    if existing:
        return existing
    window = datetime.timedelta(days=PLANNED_MATCH_WINDOW_DAYS)
    planned = (
        Activity.objects.select_for_update()
        .filter(
            mode=mode,
            area=area,
            delivered_on__isnull=True,
            source_type__isnull=True,
            planned_on__range=(delivered_on - window, delivered_on + window),
        )
        .order_by("planned_on")
        .first()
    )
    activity = planned or Activity(mode=mode, area=area, title=title, audience=audience)
    activity.delivered_on = delivered_on
    activity.source_type = source_type
    activity.source_id = str(source.pk)
    activity.operation = activity.operation or operation
    activity.owner = activity.owner or owner
    activity.save()
    return activity
