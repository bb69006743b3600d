"""Residents get every email in the language they signed up in: the confirmation,
welcome and already-subscribed emails, and campaigns, whose newsletter goes out in their
language when a translation of what was approved was signed off with it, and in the
newsletter's own language otherwise."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from newsletters.models import Campaign, ConsentRecord, Delivery, Subscriber
from newsletters.sending import services as sending_services
from newsletters.subscribers import services as subscriber_services
from newsletters.subscribers import tokens
from newsletters.subscribers.consent import CURRENT_WORDING_VERSION, current_wording
from tests.downloads import downloaded
from tests.i18n.helpers import localize_page

from .factories import CampaignFactory, SubscriberFactory, approve, make_newsletter

pytestmark = pytest.mark.django_db


def welsh(text: str) -> str:
    return f"CY {text}"


def urdu(text: str) -> str:
    return f"UR {text}"


def html_of(message) -> str:
    return message.alternatives[0][0]


def html_tag(markup: str) -> str:
    return re.search(r"<html[^>]*>", markup).group(0)


def sign_up_in(client, run_commits, prefix: str, **overrides):
    data = {
        "email": "sam.jones@example.org",
        "name": "Sam",
        "postcode": "hb1 4ab",
        "consent": "on",
        "wording_version": CURRENT_WORDING_VERSION,
        "website": "",
        **overrides,
    }
    return run_commits(lambda: client.post(f"{prefix}/newsletters/subscribe/", data))


# --- Subscribers and their emails ----------------------------------------------------------


def test_signing_up_on_the_welsh_page_keeps_welsh_and_the_email_is_in_welsh(
    client, run_commits, eastfield
):
    page = client.get("/cy/newsletters/subscribe/").content.decode()
    assert escape(current_wording("cy")) in page and "Cofrestru" in page
    response = sign_up_in(client, run_commits, "/cy")
    assert response.status_code == 302
    assert response["Location"] == "/cy/newsletters/subscribe/check-your-email/"

    subscriber = Subscriber.objects.get()
    assert subscriber.language == "cy"
    record = subscriber.consent_records.get()
    assert (record.wording_version, record.language) == (CURRENT_WORDING_VERSION, "cy")

    (message,) = mail.outbox
    assert message.subject.startswith("Cadarnhewch eich diweddariadau e-bost")
    assert "Helo Sam," in message.body and "Please confirm" not in message.body
    assert "http://testserver/cy/newsletters/confirm/" in message.body
    assert html_tag(html_of(message)) == '<html lang="cy" dir="ltr">'
    assert "Cadarnhau fy niweddariadau e-bost" in html_of(message)

    # The link leads to the Welsh page, and confirming sends the welcome in Welsh.
    confirm = re.search(r"http://testserver(/cy/newsletters/confirm/\S+/)", message.body).group(1)
    assert "Un cam arall" in client.get(confirm).content.decode()
    run_commits(lambda: client.post(confirm))
    welcome = mail.outbox[-1]
    assert welcome.subject.startswith("Croeso i'n diweddariadau e-bost")
    assert "/cy/newsletters/preferences/" in welcome.body
    assert "/cy/newsletters/unsubscribe/" in welcome.extra_headers["List-Unsubscribe"]
    confirmed = subscriber.consent_records.get(action=ConsentRecord.Action.CONFIRMED)
    assert confirmed.language == "cy"


def test_an_english_sign_up_stays_english(client, run_commits, eastfield):
    sign_up_in(client, run_commits, "")
    assert Subscriber.objects.get().language == "en-gb"
    (message,) = mail.outbox
    assert message.subject.startswith("Confirm your email updates")
    assert "http://testserver/newsletters/confirm/" in message.body
    assert html_tag(html_of(message)) == '<html lang="en-GB" dir="ltr">'


def test_an_urdu_subscriber_s_emails_are_right_to_left_in_urdu(run_commits, eastfield):
    subscriber = SubscriberFactory(language="ur", area=eastfield, name="")
    subscriber_services.subscriber_welcome_send(subscriber_id=subscriber.pk)
    (welcome,) = mail.outbox
    html = html_of(welcome)
    assert html_tag(html) == '<html lang="ur" dir="rtl">'
    assert "Noto Naskh Arabic" in html and "text-align:right" in html
    assert welcome.subject.startswith("ہماری ای میل اپ ڈیٹس میں خوش آمدید")
    assert "السلام علیکم،" in welcome.body
    assert "http://testserver/ur/newsletters/unsubscribe/" in welcome.body

    # Signing up again while subscribed: the "you already get them" email, in Urdu too,
    # whatever page the second sign-up came from.
    run_commits(
        lambda: subscriber_services.subscriber_sign_up(email=subscriber.email, language="en-gb")
    )
    already = mail.outbox[-1]
    assert html_tag(html_of(already)) == '<html lang="ur" dir="rtl">'
    assert "/ur/newsletters/preferences/" in already.body
    assert Subscriber.objects.get().language == "ur"


def test_the_emails_come_from_the_subscriber_not_from_the_language_of_the_moment(eastfield):
    """A task runs wherever a worker is: its thread may be left in any language."""
    from django.utils import translation

    subscriber = SubscriberFactory(language="cy", area=eastfield)
    with translation.override("ur"):
        subscriber_services.subscriber_welcome_send(subscriber_id=subscriber.pk)
    assert html_tag(html_of(mail.outbox[0])) == '<html lang="cy" dir="ltr">'


def test_the_preferences_page_changes_the_language_of_the_emails(client, eastfield):
    subscriber = SubscriberFactory(language="en-gb", area=eastfield, postcode="HB1 4AB")
    path = f"/ur/newsletters/preferences/{tokens.manage_token(subscriber)}/"
    page = client.get(path).content.decode()
    assert 'lang="ur" dir="rtl"' in page and "آپ کی ای میلز کی زبان" in page
    response = client.post(path, {"name": "Sam", "postcode": "HB1 4AB", "language": "cy"})
    assert "آپ کی پسند محفوظ ہو گئی ہے" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.language == "cy"
    record = subscriber.consent_records.last()
    assert record.changes["language"] == ["en-gb", "cy"] and record.language == "ur"
    # An unknown language is a form error, and nothing is lost.
    response = client.post(path, {"name": "Sam", "postcode": "HB1 4AB", "language": "xx"})
    subscriber.refresh_from_db()
    assert response.status_code == 200 and subscriber.language == "cy"


def test_the_unsubscribe_pages_are_in_the_language_of_the_address(client, eastfield):
    subscriber = SubscriberFactory(language="cy", area=eastfield)
    path = f"/cy/newsletters/unsubscribe/{tokens.manage_token(subscriber)}/"
    assert "Dad-danysgrifio o'r diweddariadau e-bost" in client.get(path).content.decode()
    assert "Rydych chi wedi dad-danysgrifio" in client.post(path).content.decode()


def test_the_register_shows_filters_and_exports_the_language(client, comms_officer, eastfield):
    SubscriberFactory(email="welsh@example.org", language="cy", area=eastfield)
    SubscriberFactory(email="urdu@example.org", language="ur", area=eastfield)
    client.force_login(comms_officer)
    listing = client.get("/admin/newsletters/subscribers/?language=cy").content.decode()
    assert "welsh@example.org" in listing and "urdu@example.org" not in listing
    body = downloaded(client, "/admin/newsletters/subscribers/?export=csv&language=ur").decode()
    assert body.splitlines()[0].count("Language") == 1
    assert "urdu@example.org" in body and ",ur," in body and "welsh@example.org" not in body


# --- Campaigns in each subscriber's language ---------------------------------------------


@pytest.fixture
def newsletter(db):
    return make_newsletter(title="Spring update")


@pytest.fixture
def mixed(eastfield):
    """Subscribers in each language, interleaved by id as sign-ups come."""
    return {
        code: SubscriberFactory.create_batch(2, area=eastfield, language=code)
        for code in ("en-gb", "cy", "ur", "cy", "en-gb")
    }


def send(campaign, approver):
    """Send now, with a worker writing the ledger and sending every chunk."""
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    sending_services.campaign_write_deliveries(campaign_id=campaign.pk)
    while Campaign.objects.get(pk=campaign.pk).ledger_written_at is None:
        sending_services._write_ledger_piece(campaign.pk)  # the chunks' part
    sending_services.campaign_enqueue_chunks(campaign_id=campaign.pk)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def received() -> dict[str, tuple[str, str]]:
    """Each recipient's subject and the lang of the HTML they were sent."""
    return {
        address: (message.subject, html_tag(html_of(message)))
        for message in mail.outbox
        if "sign-off" not in getattr(message, "tags", [])
        for address in message.to
    }


def by_language(code):
    return set(Subscriber.objects.filter(language=code).values_list("email", flat=True))


def test_a_campaign_sends_each_subscriber_the_newsletter_in_their_language(
    settings, comms_officer, approver, eastfield, newsletter, mixed
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    localize_page(newsletter, "cy", welsh)
    localize_page(newsletter, "ur", urdu)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield], newsletter=newsletter)
    approve(campaign, approver)
    campaign.refresh_from_db()
    assert set(campaign.approved_translations) == {"cy", "ur"}

    send(campaign, approver)
    got = received()
    assert len(got) == Subscriber.objects.count()  # everyone once
    for email in by_language("cy"):
        assert got[email] == ("CY Spring update", '<html lang="cy" dir="ltr">')
    for email in by_language("ur"):
        assert got[email] == ("UR Spring update", '<html lang="ur" dir="rtl">')
    for email in by_language("en-gb"):
        assert got[email] == ("News from your area", '<html lang="en-GB" dir="ltr">')
    # Each ESP call is one language's email, with that language's links and greeting.
    for message in mail.outbox:
        languages = {Subscriber.objects.get(email=a).language for a in message.to}
        assert len(languages) == 1
        merge = message.anymail_test_params["merge_data"][message.to[0]]
        if languages == {"cy"}:
            assert "/cy/newsletters/unsubscribe/" in merge["unsubscribe_url"]
            assert "CY What has happened" in message.body
    rows = Delivery.objects.filter(campaign=campaign)
    assert set(rows.values_list("language", flat=True)) == {"en-gb", "cy", "ur"}
    assert set(rows.values_list("status", flat=True)) == {Delivery.Status.SENT}


def test_a_stale_translation_is_never_sent(comms_officer, approver, eastfield, newsletter, mixed):
    localize_page(newsletter, "cy", welsh)
    # The newsletter changes after it was translated: the Welsh says the old words.
    newsletter.title = "Spring update, corrected"
    newsletter.save_revision().publish()
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield], newsletter=newsletter)
    approve(campaign, approver)
    campaign.refresh_from_db()
    assert campaign.approved_translations == {}
    send(campaign, approver)
    for email in by_language("cy"):
        assert received()[email] == ("News from your area", '<html lang="en-GB" dir="ltr">')
    assert "CY " not in "".join(m.body for m in mail.outbox)


def test_a_translation_with_untranslated_segments_is_never_sent(
    comms_officer, approver, eastfield, newsletter, mixed
):
    localize_page(newsletter, "ur", lambda text: None if "Mill Lane" in text else urdu(text))
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield], newsletter=newsletter)
    approve(campaign, approver)
    campaign.refresh_from_db()
    assert campaign.approved_translations == {}
    send(campaign, approver)
    assert "UR " not in "".join(m.body for m in mail.outbox)


def test_a_translation_published_after_approval_is_not_sent_until_approved(
    comms_officer, approver, eastfield, newsletter, mixed
):
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield], newsletter=newsletter)
    approve(campaign, approver)
    localize_page(newsletter, "cy", welsh)  # nobody signed this off
    send(campaign, approver)
    assert "CY " not in "".join(m.body for m in mail.outbox)
    for email in by_language("cy"):
        assert received()[email][0] == "News from your area"


def test_a_translation_changed_after_approval_sends_the_version_approved(
    comms_officer, approver, eastfield, newsletter, mixed
):
    localize_page(newsletter, "cy", welsh)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield], newsletter=newsletter)
    approve(campaign, approver)
    localize_page(newsletter, "cy", lambda text: f"NEWER {text}")  # edited, not signed off
    send(campaign, approver)
    bodies = "".join(m.body for m in mail.outbox)
    assert "CY What has happened" in bodies and "NEWER" not in bodies


def test_sending_in_three_languages_costs_the_queries_of_one_per_chunk(
    settings, comms_officer, approver, eastfield, newsletter, mixed
):
    """A chunk's queries do not grow with its languages: each language's email was
    rendered once when sending began, and a chunk is one language's range."""
    settings.SIGNPOST_ESP_BATCH_SIZE = 50
    localize_page(newsletter, "cy", welsh)
    localize_page(newsletter, "ur", urdu)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield], newsletter=newsletter)
    approve(campaign, approver)
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    sending_services.campaign_write_deliveries(campaign_id=campaign.pk)
    while Campaign.objects.get(pk=campaign.pk).ledger_written_at is None:
        sending_services._write_ledger_piece(campaign.pk)
    counts = []
    for language in ("en-gb", "cy", "ur"):
        rows = Delivery.objects.filter(campaign=campaign, language=language)
        first, last = min(r.pk for r in rows), max(r.pk for r in rows)
        with CaptureQueriesContext(connection) as queries:
            sending_services.campaign_send_chunk(
                campaign_id=campaign.pk, first_id=first, last_id=last
            )
        counts.append(len(queries))
    assert len(received()) == Subscriber.objects.count()
    # The same for each language's chunk; the last chunk also finishes the campaign.
    assert counts[0] == counts[1] < counts[2]
    if connection.vendor == "postgresql":
        # The campaign's row, the claim (one statement that claims and reads the range),
        # the record, the range's end. SQLite claims in three statements, in a savepoint.
        assert counts[0] == 4


def test_the_approver_previews_the_email_in_each_language_before_and_after_approval(
    client, comms_officer, approver, analyst, eastfield, newsletter, mixed
):
    localize_page(newsletter, "ur", urdu)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield], newsletter=newsletter)
    preview = f"/admin/newsletters/campaigns/{campaign.pk}/preview/"
    client.force_login(approver)
    manage = client.get(f"/admin/newsletters/campaigns/{campaign.pk}/manage/").content.decode()
    assert f"{preview}?language=ur" in manage and "approving signs off these" in manage
    before = client.get(f"{preview}?language=ur").content.decode()
    assert html_tag(before) == '<html lang="ur" dir="rtl">' and "UR Spring update" in before
    assert client.get(f"{preview}?language=cy").status_code == 404  # no Welsh to send
    approve(campaign, approver)
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    after = client.get(f"{preview}?language=ur").content.decode()
    assert "UR Spring update" in after and "/ur/newsletters/sample/" in after
    # Whoever may not see the campaign may not see it in any language.
    client.force_login(analyst)
    assert client.get(f"{preview}?language=ur").status_code in {302, 403}
