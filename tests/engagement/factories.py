import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from engagement.models import Stakeholder
from engagement.stakeholders.services import stakeholder_assess


class StakeholderFactory(DjangoModelFactory):
    class Meta:
        model = Stakeholder
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Stakeholder {n}")
    organisation = factory.Sequence(lambda n: f"Organisation {n}")
    stakeholder_type = Stakeholder.Type.COMMUNITY_LEADER
    email = factory.Sequence(lambda n: f"stakeholder{n}@example.org")
    phone = "01632 960000"
    lawful_basis = Stakeholder.LawfulBasis.LEGITIMATE_INTERESTS

    @factory.post_generation
    def scores(self, create, extracted, **kwargs):
        """``scores=(interest, influence)`` records a first assessment."""
        if create and extracted:
            interest, influence = extracted
            stakeholder_assess(
                stakeholder=self,
                interest=interest,
                influence=influence,
                reason="First assessment",
                assessed_on=timezone.localdate()
                - datetime.timedelta(days=kwargs.get("days_ago", 0)),
            )
            self.refresh_from_db()
