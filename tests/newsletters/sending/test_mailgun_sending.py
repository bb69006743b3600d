"""Sending through django-anymail's real Mailgun backend to a local mock of Mailgun's API:
batches at the limit, transient errors (500, timeouts) retried on the same rows with
nobody mailed twice, a refusal (4xx) recorded without retrying."""

import pytest

from bench.mock_mailgun import MockMailgun
from newsletters.campaigns import services as campaign_services
from newsletters.models import Campaign, Delivery
from newsletters.sending import services as sending_services

from ..factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailgun(settings):
    server = MockMailgun().start()
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {
        **settings.ANYMAIL,
        "MAILGUN_API_KEY": "key-test",
        "MAILGUN_SENDER_DOMAIN": "mg.example.org",
        "MAILGUN_API_URL": server.api_url,
        "REQUESTS_TIMEOUT": 1.0,
    }
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def eager_retries(monkeypatch):
    """In-process tasks run their retries at once (no countdown) instead of raising."""
    from signpost.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


@pytest.fixture
def ready(comms_officer, approver, eastfield, settings):
    settings.SIGNPOST_ESP_BATCH_SIZE = 4
    subscribers = SubscriberFactory.create_batch(10, area=eastfield)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    sending_services.campaign_write_deliveries(campaign_id=campaign.pk)
    return campaign, sorted(s.email for s in subscribers)


def test_batches_reach_mailgun_with_each_recipient_once(
    mailgun, ready, django_capture_on_commit_callbacks
):
    campaign, emails = ready
    with django_capture_on_commit_callbacks(execute=True):
        sending_services.campaign_enqueue_chunks(campaign_id=campaign.pk)
    assert mailgun.calls == 3
    assert sorted(mailgun.recipients) == emails
    ids = set(Delivery.objects.values_list("esp_message_id", flat=True))
    assert len(ids) == 3 and all(i.endswith("@mock.mailgun>") for i in ids)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_server_error_is_retried_on_the_same_rows(mailgun, ready):
    campaign, emails = ready
    mailgun.fail_next = [500]
    with pytest.raises(sending_services.ChunkRetry) as retry:
        sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    claimed = Delivery.objects.filter(claim=retry.value.claim, status=Delivery.Status.SENDING)
    assert claimed.count() == 4 and not mailgun.recipients

    assert (
        sending_services.campaign_send_chunk(campaign_id=campaign.pk, claim=retry.value.claim) == 4
    )
    assert sorted(mailgun.recipients) == sorted(
        d.subscriber.email for d in Delivery.objects.filter(status=Delivery.Status.SENT)
    )
    assert len(mailgun.recipients) == 4


def test_the_celery_task_backs_off_and_retries_until_mailgun_recovers(
    mailgun, ready, eager_retries
):
    from newsletters.sending.tasks import campaign_send_chunk

    campaign, emails = ready
    mailgun.fail_next = [503, 502]
    for _ in range(3):
        campaign_send_chunk.delay(campaign.pk)
    assert sorted(mailgun.recipients) == emails
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_timeout_counts_as_transient(mailgun, ready):
    campaign, _ = ready
    mailgun.delay_seconds = 1.5
    with pytest.raises(sending_services.ChunkRetry):
        sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    assert not Delivery.objects.filter(status=Delivery.Status.FAILED).exists()


def test_a_refusal_is_recorded_and_not_retried(mailgun, ready):
    campaign, _ = ready
    mailgun.fail_next = [400]
    assert sending_services.campaign_send_chunk(campaign_id=campaign.pk) == 4
    failed = Delivery.objects.filter(status=Delivery.Status.FAILED)
    assert failed.count() == 4 and "400" in failed.first().error
    assert Delivery.objects.filter(status=Delivery.Status.QUEUED).count() == 6


def test_retries_exhausted_leave_the_chunk_for_the_resume_task(
    mailgun, ready, eager_retries, settings, django_capture_on_commit_callbacks
):
    import datetime

    from django.utils import timezone

    from newsletters.sending.tasks import campaign_send_chunk

    campaign, emails = ready
    mailgun.fail_next = [500] * 6
    campaign_send_chunk.delay(campaign.pk)
    assert not mailgun.fail_next and not mailgun.recipients  # six attempts, all refused
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == 4

    later = timezone.now() + datetime.timedelta(seconds=settings.SIGNPOST_SEND_LEASE_SECONDS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert sending_services.deliveries_resume_stalled(now=later) == 4
    assert sorted(mailgun.recipients) == emails
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_row_that_keeps_failing_is_given_up_after_the_attempt_limit(mailgun, ready):
    import datetime

    from django.utils import timezone

    campaign, _ = ready
    Delivery.objects.update(attempts=sending_services.MAX_SEND_ATTEMPTS - 1)
    mailgun.fail_next = [500]
    with pytest.raises(sending_services.ChunkRetry):
        sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    later = timezone.now() + datetime.timedelta(days=1)
    sending_services.deliveries_resume_stalled(now=later)
    assert Delivery.objects.filter(status=Delivery.Status.FAILED).count() == 4
