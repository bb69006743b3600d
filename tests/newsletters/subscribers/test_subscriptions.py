"""A resident signs up, confirms by email, changes preferences and leaves; every change
leaves a consent record; sign-up never tells a stranger whether an address is known."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from newsletters.models import ConsentRecord, Subscriber, Suppression
from newsletters.subscribers import services as subscriber_services
from newsletters.subscribers import tokens
from newsletters.subscribers.consent import CURRENT_WORDING_VERSION, current_wording

from ..factories import SubscriberFactory, TopicFactory

pytestmark = pytest.mark.django_db

SIGN_UP_URL = "/newsletters/subscribe/"


@pytest.fixture
def sign_up(django_capture_on_commit_callbacks):
    """Post the sign-up form as a resident would; work queued for after commit runs."""

    def post(client, **overrides):
        data = {
            "email": "sam.jones@example.org",
            "name": "Sam",
            "postcode": "hb1 4ab",
            "consent": "on",
            "wording_version": CURRENT_WORDING_VERSION,
            "website": "",
        }
        data.update(overrides)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(SIGN_UP_URL, data)

    return post


def link_in(message, path: str) -> str:
    match = re.search(rf"https?://[^\s\"<>]+{path}[^\s\"<>]+/", message.body)
    assert match, message.body
    return match.group(0).split("testserver", 1)[1]


def test_sign_up_form_shows_the_consent_wording_and_is_protected(client):
    html = client.get(SIGN_UP_URL).content.decode()
    assert current_wording() in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="website"' in html and 'class="honeypot"' in html
    assert 'autocomplete="email"' in html and '<label for="id_postcode">' in html


def test_sign_up_creates_a_pending_subscriber_in_the_postcode_area_and_mails_a_link(
    client, eastfield, sign_up
):
    topic = TopicFactory(name="Enforcement news")
    response = sign_up(client, topics=[topic.pk])
    assert (
        response.status_code == 302 and response.url == "/newsletters/subscribe/check-your-email/"
    )

    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.area == eastfield and subscriber.postcode == "HB1 4AB"
    assert list(subscriber.topics.all()) == [topic]
    record = subscriber.consent_records.get()
    assert record.action == ConsentRecord.Action.SIGNED_UP
    assert record.method == ConsentRecord.Method.WEB_FORM
    assert record.wording_version == CURRENT_WORDING_VERSION
    assert record.changes["area"] == ["", "Eastfield"]

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam.jones@example.org"]
    assert "/newsletters/confirm/" in message.body
    assert message.alternatives and "Confirm my email updates" in message.alternatives[0][0]


def test_following_the_link_shows_a_button_and_only_pressing_it_confirms(
    client, eastfield, sign_up
):
    sign_up(client)
    path = link_in(mail.outbox[0], "/newsletters/confirm/")

    page = client.get(path)
    assert page.status_code == 200 and "Confirm my email updates" in page.content.decode()
    assert (
        Subscriber.objects.get().status == Subscriber.Status.PENDING
    )  # link scanners do not confirm

    done = client.post(path)
    assert done.status_code == 200 and "You are signed up" in done.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED and subscriber.confirmed_at
    confirmed = subscriber.consent_records.get(action=ConsentRecord.Action.CONFIRMED)
    assert confirmed.method == ConsentRecord.Method.EMAIL_LINK
    assert confirmed.wording_version == CURRENT_WORDING_VERSION

    # Confirming again is harmless and records nothing new.
    assert client.post(path).status_code == 200
    assert subscriber.consent_records.count() == 2


def test_an_expired_confirmation_link_is_refused_with_a_clear_message(
    client, monkeypatch, settings, sign_up
):
    sign_up(client)
    path = link_in(mail.outbox[0], "/newsletters/confirm/")
    later = time.time() + (settings.SIGNPOST_CONFIRM_LINK_MAX_AGE_DAYS + 1) * 86400
    monkeypatch.setattr("django.core.signing.time.time", lambda: later)
    response = client.post(path)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_a_forged_confirmation_link_is_refused(client, sign_up):
    sign_up(client)
    subscriber = Subscriber.objects.get()
    forged = f"{subscriber.key.hex}:1abcde:forgedsignature"
    response = client.post(f"/newsletters/confirm/{forged}/")
    assert response.status_code == 400 and "not valid" in response.content.decode()
    assert "Traceback" not in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.PENDING


def test_sign_up_answers_the_same_whether_or_not_the_address_is_subscribed(
    client, eastfield, sign_up
):
    fresh = sign_up(client, email="new.person@example.org")
    existing = SubscriberFactory(email="known@example.org", name="Original", area=eastfield)
    again = sign_up(client, email="known@example.org", name="Impostor", postcode="HB2 1AA")

    assert (fresh.status_code, fresh.url) == (again.status_code, again.url)
    assert client.get(fresh.url).content == client.get(again.url).content
    existing.refresh_from_db()
    assert existing.name == "Original" and existing.area == eastfield
    assert existing.status == Subscriber.Status.CONFIRMED
    # Only the address's owner learns it was already subscribed.
    assert mail.outbox[-1].to == ["known@example.org"]
    assert "already get them" in mail.outbox[-1].body


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("not-an-address", "Enter a valid email address."),
        ("someone@localhost", "Enter a"),
        ("throwaway@mailinator.com", "temporary mailbox"),
    ],
)
def test_malformed_or_disposable_addresses_get_a_clear_message(client, email, message, sign_up):
    response = sign_up(client, email=email)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not Subscriber.objects.exists() and not mail.outbox


def test_sign_up_without_consent_or_with_a_bad_postcode_is_refused(client, sign_up):
    response = sign_up(client, consent="", postcode="nowhere")
    html = response.content.decode()
    assert "Please tick the box" in html and "Enter a full UK postcode" in html
    assert not Subscriber.objects.exists()


def test_honeypot_filled_looks_accepted_but_saves_nothing(client, sign_up):
    response = sign_up(client, website="http://spam.example")
    assert response.status_code == 302
    assert not Subscriber.objects.exists() and not mail.outbox


def test_sign_up_is_rate_limited_per_client(client, sign_up):
    from newsletters.subscribers.public_views import SIGN_UP_LIMIT

    for n in range(SIGN_UP_LIMIT):
        assert sign_up(client, email=f"person{n}@example.org").status_code == 302
    response = sign_up(client, email="one.more@example.org")
    assert response.status_code == 429 and "Too many sign-ups" in response.content.decode()
    assert not Subscriber.objects.filter(email="one.more@example.org").exists()


def test_an_ipv6_client_rotating_within_its_64_is_one_client(client, sign_up):
    """A home or phone is given a whole /64: every address in it counts as one."""
    from newsletters.subscribers.public_views import SIGN_UP_LIMIT

    for n in range(SIGN_UP_LIMIT):
        client.defaults["REMOTE_ADDR"] = f"2001:db8:1:2:{n:x}::{n + 1:x}"
        assert sign_up(client, email=f"person{n}@example.org").status_code == 302
    client.defaults["REMOTE_ADDR"] = "2001:db8:1:2:ffff:ffff:ffff:fffe"
    assert sign_up(client, email="one.more@example.org").status_code == 429
    # The next /64 is someone else.
    client.defaults["REMOTE_ADDR"] = "2001:db8:1:3::1"
    assert sign_up(client, email="neighbour@example.org").status_code == 302


@pytest.mark.parametrize(
    ("address", "subject"),
    [
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("203.0.113.9", "203.0.113.9"),
        ("not an address", "not an address"),
    ],
)
def test_rate_limits_count_ipv4_addresses_and_ipv6_networks(address, subject):
    from signpost.public_forms import rate_limit_subject

    assert rate_limit_subject(address) == subject


def test_preference_page_changes_choices_and_records_what_changed(client, eastfield, riverside):
    topic = TopicFactory(name="Community events")
    subscriber = SubscriberFactory(area=eastfield, postcode="HB1 4AB")
    path = f"/newsletters/preferences/{tokens.manage_token(subscriber)}/"
    assert subscriber.email in client.get(path).content.decode()

    response = client.post(path, {"name": "Sam", "postcode": "HB2 9ZZ", "topics": [topic.pk]})
    assert response.status_code == 200 and "Your choices are saved" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.area == riverside and list(subscriber.topics.all()) == [topic]
    record = subscriber.consent_records.get()
    assert record.action == ConsentRecord.Action.PREFERENCES_CHANGED
    assert record.changes["area"] == ["Eastfield", "Riverside"]
    assert record.changes["topics"] == [[], ["Community events"]]


def test_a_forged_preferences_link_is_refused(client):
    SubscriberFactory()
    response = client.get("/newsletters/preferences/not-a-real-token/")
    assert response.status_code == 400


def test_one_click_unsubscribe_accepts_a_post_without_csrf_token(eastfield):
    subscriber = SubscriberFactory(area=eastfield)
    path = f"/newsletters/unsubscribe/{tokens.manage_token(subscriber)}/"
    client = Client(enforce_csrf_checks=True)

    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED and subscriber.unsubscribed_at
    record = subscriber.consent_records.get()
    assert record.action == ConsentRecord.Action.UNSUBSCRIBED
    assert record.method == ConsentRecord.Method.ONE_CLICK
    assert Suppression.objects.filter(
        email_hash=subscriber.email_hash, reason=Suppression.Reason.UNSUBSCRIBED
    ).exists()

    # Twice: still fine, nothing new recorded.
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert subscriber.consent_records.count() == 1


def test_the_unsubscribe_link_asks_before_leaving(client):
    subscriber = SubscriberFactory()
    path = f"/newsletters/unsubscribe/{tokens.manage_token(subscriber)}/"
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED

    left = client.post(path)
    assert "You are unsubscribed" in left.content.decode()
    again = client.post(path)
    assert "already unsubscribed" in again.content.decode()


def test_unsubscribe_for_an_erased_subscriber_answers_kindly(client, superuser):
    subscriber = SubscriberFactory()
    path = f"/newsletters/unsubscribe/{tokens.manage_token(subscriber)}/"
    subscriber_services.subscriber_erase(subscriber=subscriber, user=superuser)
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200


def test_signing_up_again_after_leaving_needs_a_fresh_confirmation(client, eastfield, sign_up):
    subscriber = SubscriberFactory(email="back@example.org", area=eastfield)
    subscriber_services.subscriber_unsubscribe(
        subscriber=subscriber, method=ConsentRecord.Method.EMAIL_LINK
    )
    sign_up(client, email="back@example.org")
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.PENDING
    client.post(link_in(mail.outbox[-1], "/newsletters/confirm/"))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert not Suppression.objects.filter(email_hash=subscriber.email_hash).exists()
    assert [r.action for r in subscriber.consent_records.all()] == [
        ConsentRecord.Action.UNSUBSCRIBED,
        ConsentRecord.Action.SIGNED_UP,
        ConsentRecord.Action.CONFIRMED,
    ]


def test_unconfirmed_sign_ups_are_purged_after_the_set_days(settings):
    old = SubscriberFactory(status=Subscriber.Status.PENDING, confirmed_at=None)
    Subscriber.objects.filter(pk=old.pk).update(
        created_at=timezone.now()
        - timezone.timedelta(days=settings.SIGNPOST_UNCONFIRMED_PURGE_DAYS + 1)
    )
    recent = SubscriberFactory(status=Subscriber.Status.PENDING, confirmed_at=None)
    confirmed = SubscriberFactory()
    Subscriber.objects.filter(pk=confirmed.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=400)
    )

    from newsletters.subscribers.tasks import subscribers_purge_unconfirmed

    assert subscribers_purge_unconfirmed.delay().get() == 1
    assert set(Subscriber.objects.values_list("pk", flat=True)) == {recent.pk, confirmed.pk}


def test_purge_runs_on_a_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "newsletters.subscribers_purge_unconfirmed" in tasks


def test_sign_up_from_a_leaflet_keeps_the_leaflets_area(client, eastfield, riverside, sign_up):
    html = client.get(f"{SIGN_UP_URL}?area=riverside").content.decode()
    assert '<input type="hidden" name="area" value="riverside"' in html
    assert "news about <strong>Riverside</strong>" in html
    # An unknown area preselects nothing, and the page never lists the areas.
    plain = client.get(f"{SIGN_UP_URL}?area=nowhere").content.decode()
    assert 'name="area" id="id_area"' in plain and 'value="nowhere"' not in plain
    assert "Riverside" not in plain and "signing up for news about" not in plain

    sign_up(client, area="riverside")  # an Eastfield postcode, signed up for Riverside
    assert Subscriber.objects.get().area == riverside
    sign_up(client, email="alex@example.org", area="gone-since")
    assert Subscriber.objects.get(email="alex@example.org").area == eastfield  # by postcode


@pytest.mark.parametrize("area", ["%00", "east%00field", "../eastfield", "x" * 300])
def test_a_malformed_area_in_the_sign_up_link_is_ignored(client, eastfield, sign_up, area):
    response = client.get(f"{SIGN_UP_URL}?area={area}")
    assert response.status_code == 200
    assert "signing up for news about" not in response.content.decode()
    response = client.post(
        f"{SIGN_UP_URL}?area={area}",
        {
            "email": "sam@example.org",
            "postcode": "hb1 4ab",
            "consent": "on",
            "wording_version": CURRENT_WORDING_VERSION,
            "website": "",
        },
    )
    assert response.status_code == 302  # signed up, the area found from the postcode
    assert Subscriber.objects.get(email="sam@example.org").area == eastfield


def test_changing_topics_keeps_the_area_chosen_from_a_leaflet(
    client, eastfield, riverside, sign_up
):
    sign_up(client, area="riverside")  # an Eastfield postcode, signed up for Riverside
    subscriber = Subscriber.objects.get()
    topic = TopicFactory(name="Community events")
    path = f"/newsletters/preferences/{tokens.manage_token(subscriber)}/"
    client.post(path, {"name": "Sam", "postcode": subscriber.postcode, "topics": [topic.pk]})
    subscriber.refresh_from_db()
    assert subscriber.area == riverside and list(subscriber.topics.all()) == [topic]

    client.post(path, {"name": "Sam", "postcode": "HB2 9ZZ", "topics": [topic.pk]})
    subscriber.refresh_from_db()
    assert subscriber.area == riverside  # HB2 is Riverside's by postcode too
    client.post(path, {"name": "Sam", "postcode": "HB1 4AB", "topics": [topic.pk]})
    subscriber.refresh_from_db()
    assert subscriber.area == eastfield  # a new postcode moves them
