"""A watched or informed stakeholder whose interest rises is flagged once per rise, and
the communications officers are told on the dashboard and by email (through Celery)."""

import pytest
from django.core import mail

from engagement.models import StakeholderAlert
from engagement.stakeholders.services import stakeholder_assess
from tests.engagement.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def rescore(stakeholder, interest, influence, *, by=None):
    return stakeholder_assess(
        stakeholder=stakeholder,
        interest=interest,
        influence=influence,
        reason="Spoke at the residents' meeting",
        assessed_by=by,
    )


def test_watched_stakeholder_crossing_the_threshold_is_flagged_and_emailed_once(
    comms_officer, approver, django_capture_on_commit_callbacks
):
    stakeholder = StakeholderFactory(name="Larch Close Residents", scores=(1, 2))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assessment = rescore(stakeholder, 4, 2, by=comms_officer)
    assert len(callbacks) == 1
    alert = StakeholderAlert.objects.get()
    assert alert.assessment == assessment
    assert (alert.from_quadrant, alert.to_quadrant) == ("watch", "consult")
    assert alert.reason == StakeholderAlert.Reason.CROSSED_THRESHOLD
    assert alert.emailed_at is not None
    # Only communications officers are told.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [comms_officer.email]
    assert "Larch Close Residents" in message.subject
    assert "Interest: 1 → 4" in message.body
    assert f"/admin/engagement/stakeholders/inspect/{stakeholder.pk}/" in message.body

    # Saving again at the same scores, or re-scoring within the new quadrant, raises nothing.
    with django_capture_on_commit_callbacks(execute=True):
        rescore(stakeholder, 4, 2)
        rescore(stakeholder, 5, 2)
    assert StakeholderAlert.objects.count() == 1
    assert len(mail.outbox) == 1


def test_running_the_email_task_twice_sends_once(comms_officer, django_capture_on_commit_callbacks):
    from engagement.tasks import stakeholder_alert_email_send

    stakeholder = StakeholderFactory(scores=(2, 4))
    with django_capture_on_commit_callbacks(execute=True):
        rescore(stakeholder, 3, 4)
    alert = StakeholderAlert.objects.get()
    assert alert.to_quadrant == "involve"
    assert stakeholder_alert_email_send.delay(alert.pk).get() == 0
    assert len(mail.outbox) == 1


def test_rise_of_two_points_below_the_threshold_is_flagged(settings, comms_officer):
    settings.SIGNPOST_GRID_THRESHOLD = 4
    stakeholder = StakeholderFactory(scores=(1, 1))
    rescore(stakeholder, 3, 1)
    alert = StakeholderAlert.objects.get()
    assert alert.reason == StakeholderAlert.Reason.ROSE_TWO_POINTS
    assert (alert.from_quadrant, alert.to_quadrant) == ("watch", "watch")


def test_small_rises_and_consulted_stakeholders_raise_no_alert(comms_officer):
    watched = StakeholderFactory(scores=(1, 1))
    rescore(watched, 2, 1)
    consulted = StakeholderFactory(scores=(3, 1))
    rescore(consulted, 5, 1)
    first_scoring = StakeholderFactory(scores=(5, 5))
    assert first_scoring.quadrant == "involve"
    assert not StakeholderAlert.objects.exists()


def test_no_email_is_sent_if_the_assessment_rolls_back(comms_officer):
    from django.db import transaction

    stakeholder = StakeholderFactory(scores=(1, 1))
    with pytest.raises(RuntimeError), transaction.atomic():
        rescore(stakeholder, 5, 1)
        raise RuntimeError("crash before commit")
    assert not StakeholderAlert.objects.exists()
    assert mail.outbox == []


def test_the_alert_subject_shows_the_name_as_written(
    comms_officer, django_capture_on_commit_callbacks
):
    stakeholder = StakeholderFactory(name="Councillor O'Brien & Partners", scores=(1, 2))
    with django_capture_on_commit_callbacks(execute=True):
        rescore(stakeholder, 4, 2, by=comms_officer)
    subject = mail.outbox[0].subject
    assert subject.startswith("Councillor O'Brien & Partners: interest has risen")
    assert "&#x27;" not in subject and "&amp;" not in subject
