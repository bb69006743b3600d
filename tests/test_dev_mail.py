"""Development email (signpost.dev_mail): each message is written to var/mail/ as Mailgun
would deliver it, one file per recipient, merged, with its headers, and its links work."""

from email import message_from_bytes, policy
from urllib.parse import urlsplit

import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import Client
from signpost import dev_mail

from newsletters.campaigns import services as campaign_services
from newsletters.models import Campaign, Delivery, Subscriber
from newsletters.sending import services as sending_services
from newsletters.subscribers import services as subscriber_services
from tests.newsletters.factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "signpost.dev_mail.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    return tmp_path / "mail"


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def delivered(mailbox):
    """Each file in the mailbox, parsed, by recipient."""
    messages = {}
    for path in sorted(mailbox.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        recipients = message["To"].addresses if message["To"] else ()
        messages[path.name] = (message, [r.addr_spec for r in recipients])
    return messages


def text_of(message):
    return message.get_body(("plain",)).get_content()


def html_of(message):
    return message.get_body(("html",)).get_content()


def path_of(url):
    return urlsplit(url.strip().strip("<>")).path


def test_a_campaign_leaves_one_merged_file_per_recipient_with_its_own_unsubscribe(
    settings, mailbox, run_commits, comms_officer, approver
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 3  # several ESP calls, as a large send makes
    subscribers = SubscriberFactory.create_batch(5)
    campaign = CampaignFactory(created_by=comms_officer, subject="News for %recipient.name%")
    campaign.areas.set({s.area for s in subscribers})
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    run_commits(lambda: sending_services.campaign_send_now(campaign=campaign, user=approver))

    files = delivered(mailbox)
    assert len(files) == 5
    by_recipient = {to[0]: message for message, to in files.values() if len(to) == 1}
    assert sorted(by_recipient) == sorted(s.email for s in subscribers)
    unsubscribe_paths = set()
    for subscriber in subscribers:
        message = by_recipient[subscriber.email]
        assert message["Subject"] == f"News for {subscriber.name}"
        assert subscriber.name in html_of(message)
        for part in (text_of(message), html_of(message), str(message["List-Unsubscribe"])):
            assert "%recipient." not in part and "[[" not in part
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = message["List-Unsubscribe"].strip()
        assert unsubscribe.startswith("<http://testserver/newsletters/unsubscribe/")
        assert unsubscribe.strip("<>") in text_of(message)  # the footer's link is the same
        assert f'"campaign": "{campaign.pk}"' in message["X-Mailgun-Variables"]
        unsubscribe_paths.add(path_of(unsubscribe))
    assert len(unsubscribe_paths) == 5  # everyone has their own link

    # The delivery rows carry the message ids the backend answered with.
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert all(Delivery.objects.values_list("esp_message_id", flat=True))

    # The links in a file work against the site: one-click, and the link a person follows.
    first, second = subscribers[:2]
    one_click = path_of(by_recipient[first.email]["List-Unsubscribe"])
    response = Client(enforce_csrf_checks=True).post(one_click, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    link = path_of(by_recipient[second.email]["List-Unsubscribe"])
    assert Client().get(link).status_code == 200
    assert "You are unsubscribed" in Client().post(link).content.decode()
    statuses = dict(Subscriber.objects.values_list("email", "status"))
    assert statuses[first.email] == statuses[second.email] == Subscriber.Status.UNSUBSCRIBED
    assert all(statuses[s.email] == Subscriber.Status.CONFIRMED for s in subscribers[2:])


def test_a_message_to_several_people_is_one_file_per_mailbox_and_bcc_stays_hidden(mailbox):
    message = EmailMultiAlternatives(
        subject="Overdue signs",
        body="Two signs are due down.",
        to=["priya@example.org", "megan@example.org"],
        bcc=["records@example.org"],
    )
    message.attach_alternative("<p>Two signs are due down.</p>", "text/html")
    assert message.send() == 1

    files = delivered(mailbox)
    assert len(files) == 3
    names = sorted(files)
    assert [n.split("-", 4)[-1] for n in names] == [
        "priya@example.org.eml",
        "megan@example.org.eml",
        "records@example.org.eml",
    ]
    for parsed, to in files.values():
        assert to == ["priya@example.org", "megan@example.org"]
        assert parsed["Bcc"] is None
        assert text_of(parsed).strip() == "Two signs are due down."
        assert "<p>Two signs are due down.</p>" in html_of(parsed)
    assert message.anymail_status.status == {"queued"}


def test_the_sign_up_confirmation_on_disk_has_a_link_that_confirms(mailbox, run_commits):
    from tests.factories import AreaFactory

    area = AreaFactory(postcode_prefixes="HB9")
    run_commits(
        lambda: subscriber_services.subscriber_sign_up(
            email="new.resident@example.org",
            name="Sam",
            postcode="HB9 1AA",
            topics=[],
            area=area,
            wording_version="v1",
        )
    )
    ((message, to),) = delivered(mailbox).values()
    assert to == ["new.resident@example.org"]
    link = next(w for w in text_of(message).split() if "/newsletters/confirm/" in w)
    client = Client()
    assert client.get(path_of(link)).status_code == 200
    client.post(path_of(link))
    assert Subscriber.objects.get(email="new.resident@example.org").status == "confirmed"


def test_the_test_emails_links_open_a_page_that_explains_them_and_change_nothing(
    mailbox, comms_officer
):
    resident = SubscriberFactory()
    campaign = CampaignFactory(created_by=comms_officer)
    campaign_services.campaign_send_test(
        campaign=campaign, user=comms_officer, addresses=["priya@example.org"]
    )
    ((message, to),) = delivered(mailbox).values()
    assert to == ["priya@example.org"]
    unsubscribe = path_of(message["List-Unsubscribe"])
    assert unsubscribe == "/newsletters/sample/unsubscribe/"
    text = text_of(message)
    assert "http://testserver/newsletters/sample/preferences/" in text
    for path in (unsubscribe, "/newsletters/sample/preferences/"):
        page = Client().get(path)
        assert page.status_code == 200
        assert "This link does not work" not in page.content.decode()
        assert "test email" in page.content.decode()
    one_click = Client(enforce_csrf_checks=True).post(
        unsubscribe, {"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    assert Client().get("/newsletters/sample/anything-else/").status_code == 404
    resident.refresh_from_db()
    assert resident.status == Subscriber.Status.CONFIRMED


def test_a_missing_merge_value_is_left_visible():
    assert dev_mail.substitute("Hi %recipient.name%, %recipient.nope%", {"name": "Ada"}) == (
        "Hi Ada, %recipient.nope%"
    )


def test_the_mailbox_reader_never_leaves_its_folder(mailbox):
    mailbox.mkdir()
    (mailbox.parent / "secret.eml").write_text("Subject: not mail\n\n")
    assert dev_mail.read_mail("../secret.eml") is None
    assert dev_mail.read_mail("secret.eml") is None
    assert dev_mail.outbox() == []
