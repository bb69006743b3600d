"""The resident's pages say where things stand: a link opened a second time, after one
click in the mail program, or after confirming, and the welcome that follows confirming."""

import pytest
from django.core import mail
from django.test import Client

from newsletters.models import ConsentRecord, Subscriber
from newsletters.subscribers import services as subscriber_services
from newsletters.subscribers import tokens
from newsletters.subscribers.consent import CURRENT_WORDING_VERSION

from ..factories import SubscriberFactory
from .test_subscriptions import SIGN_UP_URL, link_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirm_link(client, eastfield, django_capture_on_commit_callbacks):
    """Sign up as a resident would; the confirmation link from the email."""
    data = {
        "email": "sam.jones@example.org",
        "name": "Sam",
        "postcode": "HB1 4AB",
        "consent": "on",
        "wording_version": CURRENT_WORDING_VERSION,
        "website": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(SIGN_UP_URL, data)
    return link_in(mail.outbox[0], "/newsletters/confirm/")


def confirm(client, path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(path)


def test_after_a_one_click_unsubscribe_the_link_says_you_are_unsubscribed(eastfield):
    subscriber = SubscriberFactory(area=eastfield)
    path = f"/newsletters/unsubscribe/{tokens.manage_token(subscriber)}/"
    Client(enforce_csrf_checks=True).post(path, {"List-Unsubscribe": "One-Click"})

    page = Client().get(path).content.decode()
    assert "You are unsubscribed" in page
    assert "Press the button" not in page and "<form" not in page.split("<main", 1)[-1]
    assert 'href="/newsletters/subscribe/"' in page
    subscriber.refresh_from_db()
    assert subscriber.consent_records.count() == 1


def test_a_confirmation_link_opened_again_says_already_confirmed(
    client, confirm_link, django_capture_on_commit_callbacks
):
    path = confirm_link
    first = confirm(client, path, django_capture_on_commit_callbacks).content.decode()
    assert "You are signed up" in first and "Already confirmed" not in first

    for again in (client.get(path), confirm(client, path, django_capture_on_commit_callbacks)):
        text = again.content.decode()
        assert again.status_code == 200
        assert "Already confirmed" in text
        assert "Confirm my email updates" not in text
        assert "/newsletters/preferences/" in text
    assert Subscriber.objects.get().consent_records.count() == 2


def test_confirming_sends_one_welcome_with_the_preferences_and_unsubscribe_links(
    client, confirm_link, django_capture_on_commit_callbacks
):
    path = confirm_link
    confirm(client, path, django_capture_on_commit_callbacks)
    confirm(client, path, django_capture_on_commit_callbacks)

    welcomes = [m for m in mail.outbox if m.subject.startswith("Welcome to our email updates")]
    assert len(welcomes) == 1
    welcome = welcomes[0]
    assert welcome.to == ["sam.jones@example.org"]
    preferences = link_in(welcome, "/newsletters/preferences/")
    unsubscribe = link_in(welcome, "/newsletters/unsubscribe/")
    assert "Sam" in welcome.body and "Eastfield" in welcome.body
    assert welcome.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")
    assert welcome.alternatives and unsubscribe in welcome.alternatives[0][0]
    # The links work: the preferences page opens, and the unsubscribe link leaves.
    assert client.get(preferences).status_code == 200
    assert "You are unsubscribed" in client.post(unsubscribe).content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_the_welcome_job_run_twice_sends_once_and_not_to_someone_who_left(eastfield):
    subscriber = SubscriberFactory(area=eastfield)
    assert subscriber_services.subscriber_welcome_send(subscriber_id=subscriber.pk) is True
    assert subscriber_services.subscriber_welcome_send(subscriber_id=subscriber.pk) is False
    assert len(mail.outbox) == 1

    gone = SubscriberFactory(area=eastfield, email="gone@example.org")
    subscriber_services.subscriber_unsubscribe(
        subscriber=gone, method=ConsentRecord.Method.EMAIL_LINK
    )
    assert subscriber_services.subscriber_welcome_send(subscriber_id=gone.pk) is False
    assert len(mail.outbox) == 1
