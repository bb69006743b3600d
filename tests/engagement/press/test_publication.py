"""What happens when a release goes live: media contacts are emailed once each, through
Celery, and the activity calendar records the release as delivered."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from engagement.models import Activity, PressReleaseMailing, Stakeholder
from engagement.press.services import PRESS_RELEASE_EMAILED
from engagement.press.tasks import press_release_email_media_contacts
from engagement.tasks import press_release_email_media_contacts as email_task
from tests.engagement.factories import StakeholderFactory

from .conftest import release_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(db):
    """Two media contacts who may be emailed, one without consent, one without an address,
    and a councillor who is not media."""
    return {
        "echo": StakeholderFactory(
            name="Sam Whitley",
            organisation="Harbridge Echo",
            stakeholder_type=Stakeholder.Type.MEDIA,
            email="sam@echo.example.com",
            consent_to_contact=True,
        ),
        "radio": StakeholderFactory(
            name="Jo Patel",
            organisation="Radio Harbridge",
            stakeholder_type=Stakeholder.Type.MEDIA,
            email="jo@radio.example.com",
            consent_to_contact=True,
        ),
        "no_consent": StakeholderFactory(
            stakeholder_type=Stakeholder.Type.MEDIA,
            email="no@consent.example.com",
            consent_to_contact=False,
        ),
        "no_email": StakeholderFactory(
            stakeholder_type=Stakeholder.Type.MEDIA, email="", consent_to_contact=True
        ),
        "councillor": StakeholderFactory(
            stakeholder_type=Stakeholder.Type.COMMUNITY_LEADER,
            email="cllr@council.example.org",
            consent_to_contact=True,
        ),
    }


def press_emails():
    return [m for m in mail.outbox if m.subject.startswith("Press release:")]


@pytest.fixture
def publish_in_admin(
    client, comms_officer, approver, spokesperson, django_capture_on_commit_callbacks
):
    """The proper route through the admin: the communications officer submits (with any
    changes), the co-ordinator passes the first step, the spokesperson the second."""

    def publish(release, **changes):
        client.force_login(comms_officer)
        form = release_form_data(release, **changes)
        form["action-submit"] = "true"
        client.post(reverse("wagtailadmin_pages:edit", args=[release.pk]), form)
        for reviewer in (approver, spokesperson):
            client.force_login(reviewer)
            release.refresh_from_db()
            task_state = release.current_workflow_task_state
            url = reverse(
                "wagtailadmin_pages:workflow_action",
                args=[release.pk, "approve", task_state.pk],
            )
            with django_capture_on_commit_callbacks(execute=True):
                assert client.post(url, {"comment": ""}).status_code == 302
        release.refresh_from_db()
        assert release.live

    return publish


def test_publication_emails_each_media_contact_once(make_release, media, publish_in_admin):
    release = make_release(
        title="Eleven arrested in Eastfield",
        summary="Eleven warrants executed.",
        media_contact_email="press@harbridge.example.org",
    )
    publish_in_admin(release)

    emails = press_emails()
    assert sorted(m.to[0] for m in emails) == ["jo@radio.example.com", "sam@echo.example.com"]
    message = next(m for m in emails if m.to == ["sam@echo.example.com"])
    assert message.subject == "Press release: Eleven arrested in Eastfield"
    assert "Dear Sam Whitley" in message.body and "Eleven warrants executed." in message.body
    assert release.get_full_url() in message.body
    assert message.reply_to == ["press@harbridge.example.org"]
    html = message.alternatives[0][0]
    assert "Eleven arrested in Eastfield" in html
    assert message.anymail_test_params["metadata"] == {"release_id": str(release.pk)}
    assert set(PressReleaseMailing.objects.values_list("status", flat=True)) == {"sent"}
    entry = PageLogEntry.objects.get(page=release, action=PRESS_RELEASE_EMAILED)
    assert entry.data == {"recipients": 2}
    assert entry.message == "Emailed to media contacts"

    # The task running again (a retry, a second worker) sends nothing more...
    assert email_task.delay(release.pk).get() == 0
    # ...and nor does publishing a correction.
    publish_in_admin(release, summary="Corrected.")
    assert len(press_emails()) == 2


def test_an_esp_failure_is_recorded_and_only_the_failed_contact_is_retried(
    make_release, signed_off, media
):
    release = make_release()
    signed_off(release)
    real_send = mail.EmailMultiAlternatives.send

    def flaky_send(message, *args, **kwargs):
        if message.to == ["jo@radio.example.com"]:
            raise ConnectionError("ESP unavailable")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMultiAlternatives, "send", flaky_send):
        assert press_release_email_media_contacts(release_id=release.pk) == 1
    failed = PressReleaseMailing.objects.get(email="jo@radio.example.com")
    assert failed.status == "failed" and "ESP unavailable" in failed.error
    assert press_release_email_media_contacts(release_id=release.pk) == 1
    assert sorted(m.to[0] for m in press_emails()) == [
        "jo@radio.example.com",
        "sam@echo.example.com",
    ]


def test_a_draft_or_scheduled_release_is_never_emailed(make_release, media):
    release = make_release()
    assert press_release_email_media_contacts(release_id=release.pk) == 0
    assert press_emails() == []


def test_publication_marks_the_planned_press_release_delivered(
    make_release, media, publish_in_admin
):
    area = None
    planned = Activity.objects.create(
        title="Press release on the arrest day",
        mode=Activity.Mode.PRESS_RELEASE,
        area=area,
        planned_on=timezone.localdate() + datetime.timedelta(days=2),
    )
    release = make_release()
    publish_in_admin(release)
    planned.refresh_from_db()
    assert planned.delivered_on == timezone.localdate()
    assert planned.source_id == str(release.pk)
    # Published again after an edit: still one record.
    publish_in_admin(release, summary="Edited.")
    assert Activity.objects.filter(mode=Activity.Mode.PRESS_RELEASE).count() == 1


def test_an_unplanned_release_is_recorded_as_delivered(make_release, publish_in_admin):
    release = make_release(title="Unplanned statement")
    publish_in_admin(release)
    activity = Activity.objects.get(mode=Activity.Mode.PRESS_RELEASE)
    assert activity.title == "Press release: Unplanned statement"
    assert activity.planned_on is None and activity.delivered_on == timezone.localdate()


def test_beat_sends_again_what_failed_or_was_lost_and_nothing_twice(
    settings, make_release, signed_off, media
):
    from engagement.tasks import press_release_mailings_retry

    entry = settings.CELERY_BEAT_SCHEDULE["engagement-press-release-mailings-retry"]
    assert entry["task"] == press_release_mailings_retry.name
    release = make_release()
    signed_off(release)
    real_send = mail.EmailMultiAlternatives.send

    def flaky_send(message, *args, **kwargs):
        if message.to == ["jo@radio.example.com"]:
            raise ConnectionError("ESP unavailable")
        return real_send(message, *args, **kwargs)

    with mock.patch.object(mail.EmailMultiAlternatives, "send", flaky_send):
        assert press_release_email_media_contacts(release_id=release.pk) == 1
    # A mailing the publication task never reached (its worker was lost), for a live release.
    PressReleaseMailing.objects.create(release=release, email="late@weekly.example.com")

    assert press_release_mailings_retry.delay().get() == 2
    assert press_release_mailings_retry.delay().get() == 0
    assert sorted(m.to[0] for m in press_emails()) == [
        "jo@radio.example.com",
        "late@weekly.example.com",
        "sam@echo.example.com",
    ]


def test_links_and_images_in_the_emailed_release_are_absolute(
    settings, make_release, signed_off, media
):
    settings.WAGTAILADMIN_BASE_URL = "https://safer-harbridge.example.org"
    release = make_release(
        body=[
            (
                "paragraph",
                '<p>See <a href="/news/">our news page</a>.</p>',
            )
        ]
    )
    signed_off(release)
    press_release_email_media_contacts(release_id=release.pk)
    html = press_emails()[0].alternatives[0][0]
    assert 'href="https://safer-harbridge.example.org/news/"' in html
    assert 'href="/' not in html and 'src="/' not in html


def test_a_title_with_a_line_break_still_reaches_the_media(
    make_release, signed_off, media, django_capture_on_commit_callbacks
):
    release = make_release(title="Eleven arrested\nin Eastfield")
    with django_capture_on_commit_callbacks(execute=True):
        signed_off(release)
    emails = press_emails()
    assert sorted(m.to[0] for m in emails) == ["jo@radio.example.com", "sam@echo.example.com"]
    assert {m.subject for m in emails} == {"Press release: Eleven arrested in Eastfield"}
    assert set(PressReleaseMailing.objects.values_list("status", flat=True)) == {"sent"}
