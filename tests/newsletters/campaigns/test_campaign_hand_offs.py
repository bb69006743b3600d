"""A campaign's sign-off reaches the next person: the author asks for approval and the
Approvers are emailed; an Approver approves, or sends it back with a reason, and the
author is emailed each decision. Every step is kept (who, when, why) and shown on the
campaign's page; only an Approver who did not write it decides, at every door."""

import pytest
from django.core import mail
from signpost import roles
from wagtail.models import ModelLogEntry

from newsletters.campaigns import services as campaign_services
from newsletters.models import Campaign, CampaignReview
from tests.refusals import assert_refused

from ..factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def author(make_user):
    return make_user(
        roles.COMMUNICATIONS_OFFICER, username="nadia", first_name="Nadia", last_name="Okoro"
    )


@pytest.fixture
def approvers(make_user):
    return [
        make_user(roles.APPROVER, username="ana", first_name="Ana", last_name="Spokesperson"),
        make_user(roles.APPROVER, username="colin", first_name="Colin", last_name="Ordinator"),
    ]


@pytest.fixture
def campaign(author, eastfield):
    SubscriberFactory.create_batch(2, area=eastfield)
    return CampaignFactory(
        name="March update, Eastfield", created_by=author, areas=[eastfield], subject="News"
    )


def url(campaign, action):
    return f"/admin/newsletters/campaigns/{campaign.pk}/{action}/"


def manage(client, campaign) -> str:
    return client.get(url(campaign, "manage")).content.decode()


def notices():
    """Sign-off notices (no resident's newsletter is sent in these tests)."""
    return [(sorted(m.to), m.subject) for m in mail.outbox]


def test_request_send_back_rerequest_approve_each_tells_the_next_person(
    client, run_commits, author, approvers, campaign
):
    ana, colin = approvers
    client.force_login(author)
    assert "Request approval" in manage(client, campaign)

    response = run_commits(lambda: client.post(url(campaign, "request-approval"), follow=True))
    assert "Approval requested. The Approvers have been emailed." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.AWAITING_APPROVAL
    assert notices() == [
        (["ana@example.org", "colin@example.org"], "Approval requested: March update, Eastfield")
    ]
    assert "Nadia Okoro asks you to approve" in mail.outbox[0].body
    assert f"/admin/newsletters/campaigns/{campaign.pk}/manage/" in mail.outbox[0].body
    assert "Awaiting approval: asked by Nadia Okoro" in manage(client, campaign)

    # Ana sends it back: the form asks for the reason first.
    mail.outbox.clear()
    client.force_login(ana)
    page = client.get(url(campaign, "send-back")).content.decode()
    assert "What needs to change" in page
    response = client.post(url(campaign, "send-back"), {"reason": "   "})
    assert "Say what needs to change" in response.content.decode()
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.AWAITING_APPROVAL
    response = run_commits(
        lambda: client.post(
            url(campaign, "send-back"),
            {"reason": "Give the date of the forum meeting."},
            follow=True,
        )
    )
    assert "Sent back to its author" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert notices() == [(["nadia@example.org"], "Campaign sent back: March update, Eastfield")]
    assert "Give the date of the forum meeting." in mail.outbox[0].body

    # The author sees who sent it back and why, and asks again.
    client.force_login(author)
    html = manage(client, campaign)
    assert "Sent back by Ana Spokesperson on" in html
    assert "Give the date of the forum meeting." in html
    mail.outbox.clear()
    run_commits(lambda: client.post(url(campaign, "request-approval")))
    assert notices() == [
        (["ana@example.org", "colin@example.org"], "Approval requested: March update, Eastfield")
    ]

    # Colin approves; the author is told.
    mail.outbox.clear()
    client.force_login(colin)
    response = run_commits(lambda: client.post(url(campaign, "approve"), follow=True))
    assert "Campaign approved" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.APPROVED and campaign.approved_by == colin
    assert notices() == [(["nadia@example.org"], "Campaign approved: March update, Eastfield")]
    assert "Colin Ordinator approved your campaign" in mail.outbox[0].body
    client.force_login(author)
    assert "Approved by Colin Ordinator on" in manage(client, campaign)

    # Every step is kept, in order, with who and why; and in the audit log.
    steps = list(
        CampaignReview.objects.filter(campaign=campaign)
        .order_by("at", "pk")
        .values_list("action", "by__username", "reason")
    )
    assert steps == [
        ("requested", "nadia", ""),
        ("sent_back", "ana", "Give the date of the forum meeting."),
        ("requested", "nadia", ""),
        ("approved", "colin", ""),
    ]
    assert all(CampaignReview.objects.values_list("notified_at", flat=True))
    actions = list(
        ModelLogEntry.objects.filter(object_id=str(campaign.pk))
        .order_by("timestamp", "pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "newsletters.campaign.approval_requested",
        "newsletters.campaign.sent_back",
        "newsletters.campaign.approval_requested",
        "newsletters.campaign.approve",
    ]


def test_a_retried_notice_sends_nothing_twice(run_commits, author, approvers, campaign):
    run_commits(lambda: campaign_services.campaign_approval_request(campaign=campaign, user=author))
    review = CampaignReview.objects.get(campaign=campaign)
    assert len(mail.outbox) == 1
    assert campaign_services.campaign_review_notify_send(review_id=review.pk) == 0
    assert len(mail.outbox) == 1


def test_an_approver_who_wrote_the_campaign_is_not_asked_to_approve_it(
    run_commits, make_user, approvers, eastfield
):
    approving_author = make_user(roles.APPROVER, username="writer")
    SubscriberFactory(area=eastfield)
    campaign = CampaignFactory(created_by=approving_author, areas=[eastfield])
    run_commits(
        lambda: campaign_services.campaign_approval_request(
            campaign=campaign, user=approving_author
        )
    )
    assert sorted(mail.outbox[0].to) == ["ana@example.org", "colin@example.org"]


def test_asking_twice_or_for_an_empty_segment_says_why(client, author, approvers, eastfield):
    empty = CampaignFactory(created_by=author, areas=[eastfield])
    client.force_login(author)
    response = client.post(url(empty, "request-approval"), follow=True)
    assert "Nobody is in this campaign" in response.content.decode()
    assert Campaign.objects.get(pk=empty.pk).status == Campaign.Status.DRAFT

    SubscriberFactory(area=eastfield)
    client.post(url(empty, "request-approval"))
    response = client.post(url(empty, "request-approval"), follow=True)
    assert "already been requested" in response.content.decode()
    assert CampaignReview.objects.filter(campaign=empty).count() == 1


@pytest.mark.parametrize(
    "refused", ["author", "partner_viewer", "neighbourhood_officer", "approving_author"]
)
def test_only_an_approver_who_did_not_write_it_approves_or_sends_back(
    client, request, make_user, refused, author, approvers, eastfield
):
    approving_author = make_user(roles.APPROVER, username="approving-author")
    SubscriberFactory(area=eastfield)
    writer = approving_author if refused == "approving_author" else author
    campaign = CampaignFactory(created_by=writer, areas=[eastfield])
    campaign_services.campaign_approval_request(campaign=campaign, user=writer)
    mail.outbox.clear()
    user = {"approving_author": approving_author}.get(refused) or request.getfixturevalue(refused)
    client.force_login(user)

    approve = client.post(url(campaign, "approve"))
    send_back = client.post(url(campaign, "send-back"), {"reason": "No."})
    if refused == "approving_author":
        # An Approver reaches the doors, and is told why not.
        for response in (approve, send_back):
            assert response.status_code == 302
        page = client.get(url(campaign, "manage")).content.decode()
        assert "Approve for sending" not in page
    else:
        assert_refused(approve)
        assert_refused(send_back)
        assert_refused(client.get(url(campaign, "send-back")))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.AWAITING_APPROVAL
    assert campaign.approved_by is None
    assert CampaignReview.objects.filter(campaign=campaign).count() == 1
    assert mail.outbox == []


def test_anonymous_cannot_approve_send_back_or_request(client, author, approvers, campaign):
    campaign_services.campaign_approval_request(campaign=campaign, user=author)
    for action in ("approve", "send-back", "request-approval"):
        response = client.post(url(campaign, action), {"reason": "No."})
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.AWAITING_APPROVAL


@pytest.mark.parametrize("refused", ["partner_viewer", "neighbourhood_officer", "analyst"])
def test_only_campaign_editors_request_approval(client, request, refused, campaign):
    client.force_login(request.getfixturevalue(refused))
    assert_refused(client.post(url(campaign, "request-approval")))
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.DRAFT
    assert not CampaignReview.objects.exists()
    assert mail.outbox == []


def test_changes_while_awaiting_approval_are_signed_off_as_they_stand(
    client, run_commits, author, approvers, campaign
):
    """The approver signs off the campaign as it is when approving, not as it was asked."""
    campaign_services.campaign_approval_request(campaign=campaign, user=author)
    client.force_login(author)
    assert client.get(f"/admin/newsletters/campaigns/edit/{campaign.pk}/").status_code == 200
    Campaign.objects.filter(pk=campaign.pk).update(subject="News, corrected")
    run_commits(lambda: campaign_services.campaign_approve(campaign=campaign, user=approvers[0]))
    campaign.refresh_from_db()
    assert campaign.approved_subject == "News, corrected"
