"""A campaign sends exactly what its approver signed off: the newsletter version, subject
and segment at approval, whatever is published on the page afterwards. Send now asks
first, naming how many people will receive it, and a second send says so."""

import pytest
from django.core import mail
from wagtail.models import ModelLogEntry

from newsletters.campaigns import services as campaign_services
from newsletters.models import Campaign, Delivery

from ..factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(comms_officer, eastfield):
    SubscriberFactory.create_batch(3, area=eastfield)
    return CampaignFactory(created_by=comms_officer, areas=[eastfield], subject="Eastfield news")


def manage(client, campaign):
    return client.get(f"/admin/newsletters/campaigns/{campaign.pk}/manage/").content.decode()


def send_url(campaign):
    return f"/admin/newsletters/campaigns/{campaign.pk}/send/"


def sent_emails():
    return [m for m in mail.outbox if not m.subject.startswith("[Test]")]


def reword_and_publish(newsletter, user, heading):
    """The communications officer rewrites the newsletter page and publishes it."""
    page = newsletter.get_latest_revision_as_object()
    page.body = [
        ("heading", heading),
        ("paragraph", "<p>Wording nobody signed off.</p>"),
    ]
    page.save_revision(user=user).publish(user=user)


def test_an_edit_published_after_approval_is_not_what_residents_get(
    client, run_commits, comms_officer, approver, campaign
):
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    approved_revision = Campaign.objects.get(pk=campaign.pk).approved_revision
    assert approved_revision == campaign.newsletter.live_revision
    client.force_login(comms_officer)
    assert "has not changed since approval" in manage(client, campaign)

    reword_and_publish(campaign.newsletter, comms_officer, "Unapproved heading")

    # The manage page says which version was approved and that the page has changed.
    html = manage(client, campaign)
    assert f"version {approved_revision.pk}" in html
    assert "The newsletter page has changed since approval" in html
    assert "a newer version is published" in html
    # The preview shows what would be sent: the approved wording.
    preview = client.get(f"/admin/newsletters/campaigns/{campaign.pk}/preview/").content.decode()
    assert "Arrests on Mill Lane" in preview and "Unapproved heading" not in preview

    run_commits(lambda: client.post(send_url(campaign), {"confirmed": "yes"}))
    emails = sent_emails()
    assert sum(len(m.to) for m in emails) == 3
    for message in emails:
        html = message.alternatives[0][0]
        assert "Arrests on Mill Lane" in html
        assert "Unapproved heading" not in html and "Unapproved heading" not in message.body
        assert message.subject == "Eastfield news"


def test_withdrawing_approval_to_send_the_newer_version_needs_a_fresh_sign_off(
    client, run_commits, comms_officer, approver, campaign
):
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    reword_and_publish(campaign.newsletter, comms_officer, "The corrected heading")
    client.force_login(comms_officer)
    client.post(f"/admin/newsletters/campaigns/{campaign.pk}/withdraw/")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and campaign.approved_revision is None
    response = client.post(send_url(campaign), {"confirmed": "yes"}, follow=True)
    assert "must be approved" in response.content.decode()
    assert not sent_emails()

    campaign_services.campaign_approve(campaign=campaign, user=approver)
    run_commits(lambda: client.post(send_url(campaign), {"confirmed": "yes"}))
    assert all("The corrected heading" in m.alternatives[0][0] for m in sent_emails())


def test_a_subject_or_segment_changed_behind_the_approval_is_not_sent(
    client, comms_officer, approver, campaign, riverside
):
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    # Changed without the edit form (which withdraws the approval): a shell, an import.
    Campaign.objects.filter(pk=campaign.pk).update(subject="Not what was approved")
    client.force_login(comms_officer)
    response = client.post(send_url(campaign), {"confirmed": "yes"}, follow=True)
    assert "changed after approval" in response.content.decode()
    Campaign.objects.filter(pk=campaign.pk).update(subject="Eastfield news")
    campaign.areas.add(riverside)
    response = client.post(send_url(campaign), {"confirmed": "yes"}, follow=True)
    assert "changed after approval" in response.content.decode()
    assert not sent_emails() and not Delivery.objects.exists()
    refused = ModelLogEntry.objects.filter(action="newsletters.campaign.send_refused")
    assert refused.count() == 2 and {e.user for e in refused} == {comms_officer}


def test_send_now_asks_for_confirmation_with_the_number_of_recipients(
    client, run_commits, comms_officer, approver, campaign
):
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    client.force_login(comms_officer)
    html = manage(client, campaign)
    assert f'href="{send_url(campaign)}"' in html
    response = client.get(send_url(campaign))
    html = response.content.decode()
    assert response.status_code == 200
    assert "will be emailed to <strong>3</strong> subscribers now" in html
    assert 'name="confirmed"' in html
    # A POST without the confirmation only asks again.
    response = client.post(send_url(campaign))
    assert response.status_code == 200 and "will be emailed to" in response.content.decode()
    assert not Delivery.objects.exists()

    response = run_commits(lambda: client.post(send_url(campaign), {"confirmed": "yes"}))
    assert response.status_code == 302
    assert sum(len(m.to) for m in sent_emails()) == 3


def test_a_repeated_send_says_it_was_already_sent_and_sends_nothing(
    client, run_commits, comms_officer, approver, campaign
):
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    client.force_login(comms_officer)
    first = run_commits(lambda: client.post(send_url(campaign), {"confirmed": "yes"}, follow=True))
    assert "Sending has started to 3 subscribers" in first.content.decode()
    count = len(mail.outbox)
    response = run_commits(
        lambda: client.post(send_url(campaign), {"confirmed": "yes"}, follow=True)
    )
    html = response.content.decode()
    assert "already sent" in html and "Sending has started" not in html
    assert len(mail.outbox) == count
    entry = ModelLogEntry.objects.get(action="newsletters.campaign.send_refused")
    assert entry.user == comms_officer and entry.data["reason"] == "already sent"


def test_an_unapproved_send_is_refused_and_recorded_with_who_tried(client, comms_officer, campaign):
    client.force_login(comms_officer)
    response = client.post(send_url(campaign), {"confirmed": "yes"}, follow=True)
    assert "must be approved" in response.content.decode()
    entry = ModelLogEntry.objects.get(action="newsletters.campaign.send_refused")
    assert entry.user == comms_officer
    assert not sent_emails()


def test_the_author_still_cannot_approve(client, make_user, eastfield):
    from signpost import roles

    author = make_user(roles.APPROVER, username="approving-author")
    SubscriberFactory(area=eastfield)
    campaign = CampaignFactory(created_by=author, areas=[eastfield])
    client.force_login(author)
    response = client.post(f"/admin/newsletters/campaigns/{campaign.pk}/approve/", follow=True)
    assert "someone else must approve it" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and campaign.approved_revision is None


def test_approving_without_the_permission_is_refused_alike_for_any_campaign_number(
    client, comms_officer, campaign
):
    """Refused before the campaign is looked up: the answer does not tell which numbers
    are campaigns."""
    from tests.refusals import assert_refused

    client.force_login(comms_officer)
    for pk in (campaign.pk, campaign.pk + 1000):
        assert_refused(client.post(f"/admin/newsletters/campaigns/{pk}/approve/"))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT and campaign.approved_revision is None
