"""The quadrant rules of the interest/influence grid, and the reads built on them."""

import pytest
from django.core.exceptions import ValidationError

from engagement.models import Quadrant, Stakeholder
from engagement.stakeholders import selectors
from engagement.stakeholders.services import stakeholder_assess
from tests.engagement.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("interest", "influence", "quadrant"),
    [
        (5, 5, Quadrant.INVOLVE),
        (3, 3, Quadrant.INVOLVE),
        (3, 2, Quadrant.CONSULT),
        (5, 1, Quadrant.CONSULT),
        (2, 3, Quadrant.INFORM),
        (1, 5, Quadrant.INFORM),
        (2, 2, Quadrant.WATCH),
        (1, 1, Quadrant.WATCH),
    ],
)
def test_quadrant_follows_scores_in_python_and_in_the_database(interest, influence, quadrant):
    stakeholder = StakeholderFactory(scores=(interest, influence))
    assert stakeholder.quadrant == quadrant
    assert Stakeholder.objects.with_quadrant().get(pk=stakeholder.pk).current_quadrant == quadrant
    assert list(Stakeholder.objects.in_quadrant(quadrant)) == [stakeholder]


def test_threshold_is_a_setting(settings):
    stakeholder = StakeholderFactory(scores=(3, 3))
    assert stakeholder.quadrant == Quadrant.INVOLVE
    settings.SIGNPOST_GRID_THRESHOLD = 4
    assert stakeholder.quadrant == Quadrant.WATCH
    assert Stakeholder.objects.in_quadrant(Quadrant.WATCH).get() == stakeholder


def test_unscored_stakeholder_has_no_quadrant():
    stakeholder = StakeholderFactory()
    assert stakeholder.quadrant is None
    assert selectors.stakeholder_quadrant_counts() == {
        "involve": 0,
        "consult": 0,
        "inform": 0,
        "watch": 0,
    }


def test_quadrant_counts_are_one_query(django_assert_num_queries):
    for scores in [(5, 5), (4, 4), (4, 1), (1, 4), (1, 1), (2, 2), (2, 1)]:
        StakeholderFactory(scores=scores)
    with django_assert_num_queries(1):
        counts = selectors.stakeholder_quadrant_counts()
    assert counts == {"involve": 2, "consult": 1, "inform": 1, "watch": 3}


def test_media_contacts_need_an_email_and_consent():
    wanted = StakeholderFactory(
        stakeholder_type=Stakeholder.Type.MEDIA,
        consent_to_contact=True,
        consent_recorded_on="2026-01-05",
    )
    StakeholderFactory(stakeholder_type=Stakeholder.Type.MEDIA, consent_to_contact=False)
    StakeholderFactory(
        stakeholder_type=Stakeholder.Type.MEDIA,
        consent_to_contact=True,
        consent_recorded_on="2026-01-05",
        email="",
    )
    StakeholderFactory(
        stakeholder_type=Stakeholder.Type.ELECTED_MEMBER,
        consent_to_contact=True,
        consent_recorded_on="2026-01-05",
    )
    assert list(selectors.media_contacts()) == [wanted]


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_scores_outside_one_to_five_are_refused_and_change_nothing(bad):
    stakeholder = StakeholderFactory(scores=(2, 2))
    with pytest.raises(ValidationError) as caught:
        stakeholder_assess(stakeholder=stakeholder, interest=bad, influence=3, reason="Changed")
    assert "interest" in caught.value.message_dict
    stakeholder.refresh_from_db()
    assert (stakeholder.interest, stakeholder.influence) == (2, 2)
    assert stakeholder.assessments.count() == 1


def test_assessment_needs_a_reason_and_a_date_not_in_the_future():
    import datetime

    from django.utils import timezone

    stakeholder = StakeholderFactory(scores=(2, 2))
    with pytest.raises(ValidationError) as caught:
        stakeholder_assess(
            stakeholder=stakeholder,
            interest=4,
            influence=4,
            reason="  ",
            assessed_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert set(caught.value.message_dict) == {"reason", "assessed_on"}
    assert stakeholder.assessments.count() == 1


def test_next_action_follows_the_quadrant():
    from engagement.stakeholders.services import stakeholder_next_action

    involve = StakeholderFactory(scores=(5, 5))
    watch = StakeholderFactory(scores=(1, 1))
    inform = StakeholderFactory(scores=(1, 5))
    assert stakeholder_next_action(involve)[0].startswith("Approach one to one")
    assert stakeholder_next_action(watch)[0] == "Re-assess interest and influence"
    assert stakeholder_next_action(inform)[0] == "Add to the newsletter list"
    # Stored for listing and filtering in the database.
    assert involve.next_action_due == stakeholder_next_action(involve)[1]
