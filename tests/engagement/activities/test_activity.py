import datetime

import pytest

from engagement.activities.services import activity_record_delivered
from engagement.models import Activity
from tests.factories import AreaFactory, OperationFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 28)


def test_recording_the_same_source_twice_keeps_one_record():
    area = AreaFactory()
    operation = OperationFactory(areas=[area])
    first = activity_record_delivered(
        source=operation,
        mode=Activity.Mode.LEAFLET_DROP,
        title="Leaflets",
        delivered_on=TODAY,
        area=area,
    )
    again = activity_record_delivered(
        source=operation,
        mode=Activity.Mode.LEAFLET_DROP,
        title="Leaflets",
        delivered_on=TODAY,
        area=area,
    )
    assert first.pk == again.pk
    assert Activity.objects.count() == 1


def test_a_matching_planned_activity_is_marked_delivered_not_duplicated():
    area = AreaFactory()
    other_area = AreaFactory()
    planned = Activity.objects.create(
        title="Leaflet drop, Eastfield",
        mode=Activity.Mode.LEAFLET_DROP,
        area=area,
        planned_on=TODAY,
    )
    elsewhere = Activity.objects.create(
        title="Leaflet drop, elsewhere",
        mode=Activity.Mode.LEAFLET_DROP,
        area=other_area,
        planned_on=TODAY,
    )
    operation = OperationFactory(areas=[area])
    delivered = activity_record_delivered(
        source=operation,
        mode=Activity.Mode.LEAFLET_DROP,
        title="Print run",
        delivered_on=TODAY + datetime.timedelta(days=3),
        area=area,
    )
    assert delivered.pk == planned.pk
    planned.refresh_from_db()
    elsewhere.refresh_from_db()
    assert planned.delivered_on == TODAY + datetime.timedelta(days=3)
    assert elsewhere.delivered_on is None
    assert Activity.objects.count() == 2
