"""A campaign from draft to approval: its segment and sample, test sends, sign-off by
another person, a change withdrawing the sign-off, and scheduling."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import ModelLogEntry

from newsletters.campaigns import services as campaign_services
from newsletters.models import Campaign, Delivery, Subscriber

from ..factories import (
    CampaignFactory,
    SubscriberFactory,
    TopicFactory,
    approve,
    campaign_recipients,
    make_newsletter,
)

pytestmark = pytest.mark.django_db


# --- Segment and sign-off ------------------------------------------------------------------


def test_manage_page_shows_recipient_count_and_a_sample(
    client, comms_officer, campaign, eastfield, riverside
):
    SubscriberFactory.create_batch(3, area=eastfield)
    SubscriberFactory(area=riverside)
    SubscriberFactory(area=eastfield, status=Subscriber.Status.PENDING)
    client.force_login(comms_officer)
    response = client.get(f"/admin/newsletters/campaigns/{campaign.pk}/manage/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<strong>3</strong> subscribers would receive this now" in html
    assert html.count("@example.org</td>") == 3


def test_topics_narrow_the_segment(campaign, eastfield):
    wanted = TopicFactory(name="Help and treatment")
    SubscriberFactory(area=eastfield, topics=[wanted])
    SubscriberFactory(area=eastfield)
    campaign.topics.set([wanted])
    from newsletters.campaigns.selectors import campaign_segment

    assert campaign_segment(campaign).count() == 1


def test_author_cannot_approve_their_own_campaign(make_user, campaign, eastfield):
    from signpost import roles

    SubscriberFactory(area=eastfield)
    approver_author = make_user(roles.APPROVER, username="approving-author")
    campaign.created_by = approver_author
    campaign.save()
    with pytest.raises(campaign_services.CampaignError, match="someone else must approve"):
        approve(campaign, approver_author)


def test_communications_officer_cannot_approve(client, make_user, campaign, eastfield):
    from signpost import roles

    SubscriberFactory(area=eastfield)
    other_officer = make_user(roles.COMMUNICATIONS_OFFICER, username="other-officer")
    client.force_login(other_officer)
    response = client.post(f"/admin/newsletters/campaigns/{campaign.pk}/approve/")
    # The admin answers a refused permission by sending the user back to the dashboard.
    assert (response.status_code, response.url) == (302, "/admin/")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_approver_signs_off_through_the_admin_and_it_is_logged(
    client, approver, campaign, eastfield
):
    SubscriberFactory(area=eastfield)
    client.force_login(approver)
    response = client.post(f"/admin/newsletters/campaigns/{campaign.pk}/approve/", follow=True)
    assert "Campaign approved" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.APPROVED and campaign.approved_by == approver
    entry = ModelLogEntry.objects.get(action="newsletters.campaign.approve")
    assert entry.user == approver and entry.object_id == str(campaign.pk)


def test_an_empty_segment_cannot_be_approved_or_sent(client, approver, campaign):
    client.force_login(approver)
    response = client.post(f"/admin/newsletters/campaigns/{campaign.pk}/approve/", follow=True)
    assert "Nobody is in this campaign" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT


def test_an_unapproved_campaign_cannot_be_sent(client, comms_officer, campaign, eastfield):
    SubscriberFactory(area=eastfield)
    client.force_login(comms_officer)
    response = client.post(
        f"/admin/newsletters/campaigns/{campaign.pk}/send/", {"confirmed": "yes"}, follow=True
    )
    assert "must be approved" in response.content.decode()
    assert not mail.outbox and not Delivery.objects.exists()


def test_changing_an_approved_campaign_withdraws_the_approval(
    client, comms_officer, approver, campaign, eastfield
):
    SubscriberFactory(area=eastfield)
    approve(campaign, approver)
    client.force_login(comms_officer)
    response = client.post(
        f"/admin/newsletters/campaigns/edit/{campaign.pk}/",
        {
            "name": campaign.name,
            "newsletter": campaign.newsletter.pk,
            "subject": "A different subject",
            "areas": [eastfield.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign.refresh_from_db()
    assert campaign.subject == "A different subject"
    assert campaign.status == Campaign.Status.DRAFT and campaign.approved_by is None


def test_communications_officer_creates_a_campaign_in_the_admin(client, comms_officer, eastfield):
    newsletter = make_newsletter()
    client.force_login(comms_officer)
    response = client.post(
        "/admin/newsletters/campaigns/new/",
        {
            "name": "April",
            "newsletter": newsletter.pk,
            "subject": "April news",
            "areas": [eastfield.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    campaign = Campaign.objects.get()
    assert campaign.created_by == comms_officer and campaign.status == Campaign.Status.DRAFT
    assert response.url == f"/admin/newsletters/campaigns/{campaign.pk}/manage/"


# --- Test send and schedule ------------------------------------------------------------------


def test_test_send_goes_only_to_the_given_addresses(client, comms_officer, campaign, eastfield):
    SubscriberFactory.create_batch(2, area=eastfield)
    client.force_login(comms_officer)
    response = client.post(
        f"/admin/newsletters/campaigns/{campaign.pk}/test/",
        {"addresses": "editor@example.org, boss@example.org"},
        follow=True,
    )
    assert "Test sent to 2 addresses" in response.content.decode()
    assert sorted(campaign_recipients()) == ["boss@example.org", "editor@example.org"]
    assert mail.outbox[0].subject == "[Test] Eastfield news"
    assert "[[" not in mail.outbox[0].alternatives[0][0]
    assert not Delivery.objects.exists()
    assert ModelLogEntry.objects.filter(action="newsletters.campaign.test_send").exists()


def test_test_send_refuses_bad_addresses(client, comms_officer, campaign):
    client.force_login(comms_officer)
    response = client.post(
        f"/admin/newsletters/campaigns/{campaign.pk}/test/", {"addresses": "nope"}, follow=True
    )
    assert "Not an email address: nope" in response.content.decode()
    assert not mail.outbox


def test_scheduling_in_the_past_is_refused(client, comms_officer, approver, campaign, eastfield):
    SubscriberFactory(area=eastfield)
    approve(campaign, approver)
    client.force_login(comms_officer)
    response = client.post(
        f"/admin/newsletters/campaigns/{campaign.pk}/schedule/",
        {"send_at": "2020-01-01T09:00"},
        follow=True,
    )
    assert "Choose a time in the future" in response.content.decode()


def test_the_campaign_listing_runs_as_many_queries_for_many_campaigns_as_for_few(
    client, comms_officer
):
    """Each row names its newsletter: joined, not fetched a row at a time."""
    client.force_login(comms_officer)

    def listing_queries() -> int:
        client.get("/admin/newsletters/campaigns/")
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/admin/newsletters/campaigns/")
        assert response.status_code == 200
        return len(captured)

    CampaignFactory.create_batch(2)
    few = listing_queries()
    CampaignFactory.create_batch(12)
    assert listing_queries() == few
