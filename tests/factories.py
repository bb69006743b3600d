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


def press_release_sign_off(release, *, submitted_by, reviewed_by, approved_by):
    """Take a release through the sign-off workflow as the dashboard's buttons do: the only
    way a press release goes public."""
    from engagement.models import PressReleasePage

    release.get_workflow().start(release, submitted_by)
    for reviewer in (reviewed_by, approved_by):
        release.refresh_from_db()
        release.current_workflow_task.on_action(
            release.current_workflow_task_state, reviewer, "approve"
        )
    return PressReleasePage.objects.get(pk=release.pk)


def sign_off_team():
    """A communications officer and two approvers, for suites that need a signed release."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from signpost import roles

    people = []
    for username, role in (
        ("release-writer", roles.COMMUNICATIONS_OFFICER),
        ("release-reviewer", roles.APPROVER),
        ("release-approver", roles.APPROVER),
    ):
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.org"}
        )
        if created:
            user.groups.add(Group.objects.get(name=role))
        people.append(user)
    return people
