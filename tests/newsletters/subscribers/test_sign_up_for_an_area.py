"""Signing up from an area's page, its survey's thank-you page or a leaflet: the area is
known, so the form does not ask for a postcode; the server still decides the area from
what is sent, and the honeypot and rate limit hold as on the plain form."""

import pytest
from django.core import mail

from newsletters.models import Subscriber
from newsletters.subscribers import tokens
from newsletters.subscribers.consent import CURRENT_WORDING_VERSION

from ..factories import TopicFactory

pytestmark = pytest.mark.django_db

URL = "/newsletters/subscribe/?area=riverside"


def post(client, django_capture_on_commit_callbacks, url=URL, **overrides):
    data = {
        "email": "sam.jones@example.org",
        "name": "Sam",
        "area": "riverside",
        "consent": "on",
        "wording_version": CURRENT_WORDING_VERSION,
        "website": "",
        **overrides,
    }
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(url, data)


def test_with_the_area_known_the_form_asks_no_postcode(
    client, riverside, django_capture_on_commit_callbacks
):
    html = client.get(URL).content.decode()
    assert "news about <strong>Riverside</strong>" in html
    assert 'name="postcode"' not in html and "Your postcode" not in html
    response = post(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    subscriber = Subscriber.objects.get()
    assert (subscriber.area, subscriber.postcode) == (riverside, "")
    assert len(mail.outbox) == 1  # the confirmation


@pytest.mark.parametrize("sent_area", ["", "nowhere", "east%00field"])
def test_without_a_real_area_in_what_is_sent_the_postcode_is_asked_for(
    client, riverside, django_capture_on_commit_callbacks, sent_area
):
    """The hidden field is anyone's to change: the server asks for the postcode then,
    and keeps what was typed."""
    response = post(client, django_capture_on_commit_callbacks, area=sent_area)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="postcode"' in html and "This field is required" in html
    assert 'value="sam.jones@example.org"' in html
    assert not Subscriber.objects.exists() and not mail.outbox


def test_the_honeypot_and_the_rate_limit_hold_with_an_area(
    client, riverside, django_capture_on_commit_callbacks
):
    from newsletters.subscribers.public_views import SIGN_UP_LIMIT

    bot = post(client, django_capture_on_commit_callbacks, website="http://spam.example")
    assert bot.status_code == 302 and not Subscriber.objects.exists()
    for n in range(SIGN_UP_LIMIT - 1):
        post(client, django_capture_on_commit_callbacks, email=f"person{n}@example.org")
    refused = post(client, django_capture_on_commit_callbacks, email="one.more@example.org")
    assert refused.status_code == 429
    assert not Subscriber.objects.filter(email="one.more@example.org").exists()


def test_a_subscriber_with_an_area_and_no_postcode_changes_topics_without_giving_one(
    client, riverside, django_capture_on_commit_callbacks
):
    post(client, django_capture_on_commit_callbacks)
    subscriber = Subscriber.objects.get()
    path = f"/newsletters/preferences/{tokens.manage_token(subscriber)}/"
    html = client.get(path).content.decode()
    assert "Your postcode (optional)" in html and "You get news about Riverside" in html
    topic = TopicFactory(name="Community events")
    response = client.post(path, {"name": "Sam", "postcode": "", "topics": [topic.pk]})
    assert "Your choices are saved" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.area == riverside and list(subscriber.topics.all()) == [topic]
