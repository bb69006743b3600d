"""factory_boy factories shared by the suites."""

import datetime

import factory
from factory.django import DjangoModelFactory

from engagement.models import Area, Operation


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Area {n}")
    slug = factory.Sequence(lambda n: f"area-{n}")
    postcode_prefixes = factory.Sequence(lambda n: f"HB{n % 9 + 1} {n % 10}")
    streets = "High Street\nMill Lane"
    household_count = 1200


class OperationFactory(DjangoModelFactory):
    class Meta:
        model = Operation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Operation {n}")
    slug = factory.Sequence(lambda n: f"operation-{n}")
    start_date = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    arrest_day = factory.LazyFunction(datetime.date.today)
    end_date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=60))

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create:
            self.areas.set(extracted if extracted is not None else [AreaFactory()])
