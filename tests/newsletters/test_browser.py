"""In a real browser: a resident signs up on a phone and confirms from the email; a
campaign goes from draft to sent in the admin."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from newsletters.models import Campaign, Delivery, Subscriber
from tests.factories import AreaFactory

from .factories import SubscriberFactory, make_newsletter

pytestmark = pytest.mark.browser


def test_a_resident_signs_up_on_a_phone_and_confirms_from_the_email(phone_page, eastfield):
    page = phone_page
    page.goto("/newsletters/subscribe/")
    page.get_by_label("Your email address").fill("sam.jones@example.org")
    page.get_by_label("Your first name (optional)").fill("Sam")
    page.get_by_label("Your postcode").fill("HB1 4AB")
    page.get_by_label(re.compile("Send me email updates")).check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/check-your-email/")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    assert Subscriber.objects.get().status == Subscriber.Status.PENDING
    link = re.search(r"https?://\S+(/newsletters/confirm/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm my email updates").click()
    expect(page.get_by_role("heading", name="You are signed up")).to_be_visible()
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED and subscriber.area == eastfield


def test_sign_up_errors_are_announced_and_linked_to_their_fields(phone_page):
    page = phone_page
    page.goto("/newsletters/subscribe/")
    page.get_by_label("Your email address").fill("not-an-address")
    page.get_by_role("button", name="Sign up").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    alert.get_by_role("link", name="Enter a valid email address.").click()
    assert page.evaluate("document.activeElement.id") == "id_email"
    assert not Subscriber.objects.exists()


def test_a_campaign_goes_from_draft_to_sent_in_the_admin(
    page, admin_login, comms_officer, approver, eastfield
):
    SubscriberFactory.create_batch(3, area=eastfield)
    SubscriberFactory(area=AreaFactory(name="Northgate", slug="northgate"))
    newsletter = make_newsletter(title="April in Eastfield")

    # The communications officer writes the campaign in the admin: newsletter, subject
    # and the areas that receive it.
    admin_login(page, comms_officer)
    page.goto("/admin/newsletters/campaigns/new/")
    page.get_by_role("textbox", name="Name").fill("April update")
    page.get_by_text("Choose a page (Newsletter)").click()
    page.locator(".modal").get_by_role("link", name=newsletter.title, exact=True).click()
    expect(page.locator(".modal")).to_be_hidden()
    page.get_by_role("textbox", name="Subject").fill("April in Eastfield")
    page.get_by_role("checkbox", name="Eastfield").check()
    page.get_by_role("button", name="Create").click()
    page.wait_for_url("**/manage/")
    campaign = Campaign.objects.get(name="April update")
    assert (campaign.newsletter_id, campaign.created_by) == (newsletter.pk, comms_officer)
    assert list(campaign.areas.all()) == [eastfield]
    manage = f"/admin/newsletters/campaigns/{campaign.pk}/manage/"

    # The author sends a test, and cannot approve their own campaign.
    assert "3 subscribers would receive this now" in page.inner_text("body")
    page.get_by_label("Send a test to").fill("editor@example.org")
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_text("Test sent to 1 address")).to_be_visible()
    assert page.get_by_role("button", name="Approve for sending").count() == 0
    page.context.clear_cookies()

    # An approver signs it off and sends it.
    admin_login(page, approver)
    page.goto(manage)
    page.get_by_role("button", name="Approve for sending").click()
    expect(page.get_by_text("Campaign approved")).to_be_visible()
    page.get_by_role("link", name="Send now…").click()
    # Sending asks first, naming how many people will receive it.
    expect(page.locator("[data-confirm-count]")).to_contain_text("3 subscribers")
    page.get_by_role("button", name="Yes, send to 3 subscribers").click()
    expect(page.locator("[data-campaign-status]")).to_have_text("Sent")
    assert page.locator("#send-progress").get_attribute("value") == "100"
    assert page.locator("[data-figure=sent]").inner_text() == "3"

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT
    assert Delivery.objects.filter(campaign=campaign, status=Delivery.Status.SENT).count() == 3
    # Residents' copies: not the test send, nor the author's notice of the approval.
    recipients = [
        a
        for m in mail.outbox
        if not m.subject.startswith("[Test]") and "sign-off" not in getattr(m, "tags", [])
        for a in m.to
    ]
    assert len(recipients) == 3
