"""A campaign is sent: now or when scheduled, chunked at the ESP's batch limit, every email
with its own one-click unsubscribe, suppressed addresses never mailed, a dead worker's
chunk resumed, the progress figures, and the shared send throttle."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from engagement.models import Activity
from newsletters.models import Campaign, Delivery, Suppression
from newsletters.sending import batches, claims
from newsletters.sending import services as sending_services
from newsletters.subscribers import services as subscriber_services

from ..factories import SubscriberFactory, approve, campaign_recipients

pytestmark = pytest.mark.django_db


# --- Sending ------------------------------------------------------------------------------


def test_send_now_batches_at_the_limit_with_merge_data_and_one_click_headers(
    settings, run_commits, client, comms_officer, approver, campaign, eastfield
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 3
    subscribers = SubscriberFactory.create_batch(7, area=eastfield)
    approve(campaign, approver)
    client.force_login(comms_officer)
    run_commits(
        lambda: client.post(
            f"/admin/newsletters/campaigns/{campaign.pk}/send/", {"confirmed": "yes"}
        )
    )

    # One ESP call per chunk, none over the limit, everyone exactly once.
    assert [len(m.to) for m in mail.outbox] == [3, 3, 1]
    assert sorted(campaign_recipients()) == sorted(s.email for s in subscribers)
    message = mail.outbox[0]
    params = message.anymail_test_params
    first = message.to[0]
    merge = params["merge_data"][first]
    assert merge["unsubscribe_url"].startswith("http://testserver/newsletters/unsubscribe/")
    assert params["merge_headers"][first]["List-Unsubscribe"] == f"<{merge['unsubscribe_url']}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "%recipient.unsubscribe_url%" in message.alternatives[0][0]
    assert params["merge_metadata"][first]["delivery"].isdigit()

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.recipient_count == 7
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert all(Delivery.objects.values_list("esp_message_id", flat=True))
    actions = set(ModelLogEntry.objects.values_list("action", flat=True))
    assert {"newsletters.campaign.send", "newsletters.campaign.sent"} <= actions
    activity = Activity.objects.get(mode=Activity.Mode.EMAIL_NEWSLETTER)
    assert activity.area == eastfield and activity.delivered_on == timezone.localdate()


def test_the_one_click_link_in_a_campaign_email_unsubscribes_and_counts(
    run_commits, approver, campaign, eastfield
):
    from django.test import Client

    subscriber = SubscriberFactory(area=eastfield)
    approve(campaign, approver)
    run_commits(lambda: sending_services.campaign_send_now(campaign=campaign, user=approver))
    url = mail.outbox[0].anymail_test_params["merge_data"][subscriber.email]["unsubscribe_url"]
    response = Client(enforce_csrf_checks=True).post(
        url.replace("http://testserver", ""), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 200
    from newsletters.sending.selectors import campaign_figures

    assert campaign_figures(campaign)["unsubscribed"] == 1


def test_suppressed_and_unsubscribed_addresses_are_never_mailed(
    run_commits, approver, campaign, eastfield
):
    keep = SubscriberFactory(area=eastfield)
    bounced = SubscriberFactory(area=eastfield)
    left = SubscriberFactory(area=eastfield)
    Suppression.objects.create(email_hash=bounced.email_hash, reason=Suppression.Reason.HARD_BOUNCE)
    subscriber_services.subscriber_unsubscribe(subscriber=left, method="email_link")
    approve(campaign, approver)
    run_commits(lambda: sending_services.campaign_send_now(campaign=campaign, user=approver))
    assert campaign_recipients() == [keep.email]


def test_an_address_suppressed_after_the_send_began_is_skipped(approver, campaign, eastfield):
    keep = SubscriberFactory(area=eastfield)
    late = SubscriberFactory(area=eastfield)
    approve(campaign, approver)
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    sending_services.campaign_write_deliveries(
        campaign_id=campaign.pk
    )  # rows written, chunks not run
    Suppression.objects.create(email_hash=late.email_hash, reason=Suppression.Reason.COMPLAINT)
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    assert campaign_recipients() == [keep.email]
    assert Delivery.objects.get(subscriber=late).status == Delivery.Status.SUPPRESSED


def test_sending_twice_sends_nothing_twice(run_commits, approver, campaign, eastfield):
    SubscriberFactory.create_batch(3, area=eastfield)
    approve(campaign, approver)
    run_commits(lambda: sending_services.campaign_send_now(campaign=campaign, user=approver))
    run_commits(lambda: sending_services.campaign_send_now(campaign=campaign, user=approver))
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    assert len(campaign_recipients()) == 3
    assert Delivery.objects.count() == 3


def test_a_dead_workers_chunk_is_resumed_and_nobody_else_gets_a_second_copy(
    settings, run_commits, approver, campaign, eastfield
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    SubscriberFactory.create_batch(5, area=eastfield)
    approve(campaign, approver)
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    sending_services.campaign_write_deliveries(campaign_id=campaign.pk)
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)  # chunk 1 sent
    # Chunk 2 is claimed, then its worker dies before calling the ESP.
    claim, ids = claims.claim_chunk(campaign.pk, 2)
    assert len(ids) == 2
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)  # chunk 3 sent by another worker
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENDING

    # Before the lease runs out nothing is resumed; after it, the chunk is queued again.
    assert sending_services.deliveries_resume_stalled() == 0
    later = timezone.now() + datetime.timedelta(seconds=settings.SIGNPOST_SEND_LEASE_SECONDS + 1)
    assert run_commits(lambda: sending_services.deliveries_resume_stalled(now=later)) == 2

    recipients = campaign_recipients()
    assert len(recipients) == 5 and len(set(recipients)) == 5
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    # The dead worker's retry finds its rows gone and sends nothing.
    assert sending_services.campaign_send_chunk(campaign_id=campaign.pk, claim=claim) == 0
    assert len(campaign_recipients()) == 5


# --- Scheduling and progress ---------------------------------------------------------------


def test_a_scheduled_campaign_is_sent_by_beat_when_due(
    client, comms_officer, approver, campaign, eastfield, run_commits
):
    SubscriberFactory.create_batch(2, area=eastfield)
    approve(campaign, approver)
    client.force_login(comms_officer)
    when = timezone.localtime() + datetime.timedelta(hours=2)
    response = client.post(
        f"/admin/newsletters/campaigns/{campaign.pk}/schedule/",
        {"send_at": when.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )
    assert "Scheduled for" in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SCHEDULED

    assert run_commits(sending_services.campaigns_send_due) == []
    assert not mail.outbox
    due = run_commits(
        lambda: sending_services.campaigns_send_due(now=when + datetime.timedelta(minutes=1))
    )
    assert due == [campaign.pk]
    assert len(campaign_recipients()) == 2
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT


def test_progress_endpoint_reports_the_figures(
    client, comms_officer, approver, campaign, eastfield, django_assert_max_num_queries
):
    settings_batch = 2
    SubscriberFactory.create_batch(3, area=eastfield)
    approve(campaign, approver)
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    sending_services.campaign_write_deliveries(campaign_id=campaign.pk)
    from django.test import override_settings

    with override_settings(SIGNPOST_ESP_BATCH_SIZE=settings_batch):
        sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    client.force_login(comms_officer)
    url = f"/admin/newsletters/campaigns/{campaign.pk}/progress/"
    with django_assert_max_num_queries(12):
        figures = client.get(url).json()
    assert figures["recipients"] == 3 and figures["sent"] == 2
    assert figures["progress_percent"] == 67 and figures["status"] == "sending"
    page = client.get(f"/admin/newsletters/campaigns/{campaign.pk}/manage/").content.decode()
    assert 'id="send-progress"' in page and 'value="67"' in page


def test_the_send_throttle_waits_for_the_next_second_when_the_budget_is_spent(settings):
    settings.SIGNPOST_ESP_RATE_PER_SECOND = 5
    clock = [1000.2]
    slept = []

    def sleep(seconds):
        slept.append(round(seconds, 3))
        clock[0] += seconds

    batches.esp_throttle_acquire(3, clock=lambda: clock[0], sleep=sleep)
    assert slept == []
    batches.esp_throttle_acquire(3, clock=lambda: clock[0], sleep=sleep)
    assert slept == [0.8]
