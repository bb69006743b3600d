import pytest
from django.core.exceptions import ValidationError

from engagement.models import Area
from tests.factories import AreaFactory, OperationFactory

pytestmark = pytest.mark.django_db


def test_a_postcode_maps_to_the_area_of_its_sector_before_its_district():
    district = AreaFactory(name="Northgate", slug="northgate", postcode_prefixes="HB2")
    sector = AreaFactory(name="Canal Quarter", slug="canal", postcode_prefixes="HB2 5, HB1 6")
    assert Area.objects.for_postcode("hb2 5xy") == sector
    assert Area.objects.for_postcode("HB25XY") == sector
    assert Area.objects.for_postcode("HB2 7AA") == district
    assert Area.objects.for_postcode("HB1 6QQ") == sector
    assert Area.objects.for_postcode("ZZ9 9ZZ") is None


def test_area_rejects_something_that_is_not_a_postcode_prefix():
    area = Area(name="X", slug="x", household_count=10, postcode_prefixes="HB1, not a postcode")
    with pytest.raises(ValidationError) as caught:
        area.full_clean()
    assert "not a postcode" in str(caught.value).lower()


def test_operation_dates_must_be_in_order():
    operation = OperationFactory()
    operation.end_date = operation.start_date.replace(year=operation.start_date.year - 1)
    with pytest.raises(ValidationError) as caught:
        operation.full_clean()
    assert "end_date" in caught.value.message_dict
