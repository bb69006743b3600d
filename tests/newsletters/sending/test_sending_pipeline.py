"""The sending pipeline at scale: the send button only freezes the email and hands the
ledger to a worker; the ledger is one statement; a chunk costs the same queries at any
size; what a chunk sends is exactly its claimed, mailable rows; results are recorded
once; a lost ledger task or a dead worker's chunk is picked up again. A chunk task's
batches overlap (the next claimed and built while one is at the ESP) without ever
letting a second batch out before the first is recorded, and the ledger is written a
piece at a time while the pieces before it are sent."""

import datetime

import pytest
from django.core import mail, signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsletters.campaign_backends import BatchResult, CampaignBackend
from newsletters.campaigns import services as campaign_services
from newsletters.models import Campaign, Delivery, Subscriber, Suppression
from newsletters.sending import batches, claims, finishing
from newsletters.sending import services as sending_services
from newsletters.subscribers import services as subscriber_services
from newsletters.subscribers import tokens

from ..factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(comms_officer, approver, eastfield):
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    SubscriberFactory(area=eastfield)
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    return campaign


def sent_to():
    """Who was sent the campaign (not the staff told of its sign-off)."""
    return sorted(
        address
        for message in mail.outbox
        if "sign-off" not in getattr(message, "tags", [])
        for address in message.to
    )


def start(campaign, approver):
    """Press send, then let a worker write the whole ledger; no chunk has run yet."""
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    written = sending_services.campaign_write_deliveries(campaign_id=campaign.pk)
    while Campaign.objects.get(pk=campaign.pk).ledger_written_at is None:
        written += sending_services._write_ledger_piece(campaign.pk)  # the chunks' part
    return written


def test_the_send_button_writes_no_ledger_and_a_worker_writes_it_in_one_statement(
    client, comms_officer, approver, campaign, eastfield, run_commits
):
    SubscriberFactory.create_batch(4, area=eastfield)
    client.force_login(comms_officer)
    # The request itself: no Delivery rows, the campaign sending, the email frozen.
    response = client.post(
        f"/admin/newsletters/campaigns/{campaign.pk}/send/", {"confirmed": "yes"}
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING and campaign.rendered_html
    assert not Delivery.objects.exists()

    with CaptureQueriesContext(connection) as small:
        assert sending_services.campaign_write_deliveries(campaign_id=campaign.pk) == 5
    inserts = [q["sql"] for q in small.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1 and "SELECT" in inserts[0]
    assert Campaign.objects.get(pk=campaign.pk).recipient_count == 5
    # Run again (a redelivered task): nothing is written twice.
    assert sending_services.campaign_write_deliveries(campaign_id=campaign.pk) == 0
    assert Delivery.objects.count() == 5


def test_the_ledger_costs_the_same_queries_for_five_or_fifty(
    approver, comms_officer, eastfield, riverside
):
    counts = []
    for size, area in ((5, eastfield), (50, riverside)):
        SubscriberFactory.create_batch(size, area=area)
        campaign = CampaignFactory(created_by=comms_officer, areas=[area])
        campaign_services.campaign_approve(campaign=campaign, user=approver)
        sending_services.campaign_send_now(campaign=campaign, user=approver)
        with CaptureQueriesContext(connection) as queries:
            assert sending_services.campaign_write_deliveries(campaign_id=campaign.pk) == size
        # The sending's own queries (the activity calendar's caches warm up on the first).
        counts.append(sum("newsletters_" in q["sql"] for q in queries.captured_queries))
    assert counts[0] == counts[1]


def test_the_ledger_holds_the_segment_as_it_is_when_the_worker_writes_it(
    approver, campaign, eastfield, riverside
):
    keep = SubscriberFactory(area=eastfield)
    elsewhere = SubscriberFactory(area=riverside)
    pending = SubscriberFactory(area=eastfield, status=Subscriber.Status.PENDING)
    complained = SubscriberFactory(area=eastfield)
    Suppression.objects.create(email_hash=complained.email_hash, reason="complaint")
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    late = SubscriberFactory(area=eastfield)  # confirmed before the worker got to it
    sending_services.campaign_write_deliveries(campaign_id=campaign.pk)
    in_ledger = set(Delivery.objects.values_list("subscriber__email", flat=True))
    assert {keep.email, late.email} <= in_ledger and len(in_ledger) == 3
    assert not in_ledger & {elsewhere.email, pending.email, complained.email}


# Queries for one chunk, whatever its size: the campaign, the claim (one statement on
# PostgreSQL: pick, mark and read the recipients; on SQLite three inside a savepoint)
# and the result (one statement). Whether the campaign is done is asked only when the
# tally of settled rows says so.
CHUNK_QUERIES = {"postgresql": 3, "sqlite": 7}


@pytest.mark.parametrize("chunk", [2, 9])
def test_a_chunk_costs_the_same_queries_at_any_size(
    settings, approver, campaign, eastfield, chunk, django_assert_num_queries
):
    SubscriberFactory.create_batch(20, area=eastfield)
    start(campaign, approver)
    settings.SIGNPOST_ESP_BATCH_SIZE = chunk
    with django_assert_num_queries(CHUNK_QUERIES[connection.vendor]):
        assert sending_services.campaign_send_chunk(campaign_id=campaign.pk) == chunk
    assert len(mail.outbox) == 1 and len(mail.outbox[0].to) == chunk
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == chunk


def test_a_chunk_skips_whoever_stopped_being_mailable_after_the_ledger_was_written(
    approver, campaign, eastfield
):
    SubscriberFactory.create_batch(2, area=eastfield)
    start(campaign, approver)
    keep = set(Delivery.objects.values_list("subscriber__email", flat=True))
    left, complained, erased = SubscriberFactory.create_batch(3, area=eastfield)
    for subscriber in (left, complained, erased):
        Delivery.objects.create(campaign=campaign, subscriber=subscriber)
    subscriber_services.subscriber_unsubscribe(subscriber=left, method="email_link")
    Suppression.objects.create(email_hash=complained.email_hash, reason="complaint")
    erased.delete()
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    assert set(sent_to()) == keep
    assert Delivery.objects.filter(status=Delivery.Status.SUPPRESSED).count() == 3
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_merge_values_carry_working_signed_links(approver, campaign, eastfield, client):
    start(campaign, approver)
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    message = mail.outbox[0]
    address = message.to[0]
    values = message.anymail_test_params["merge_data"][address]
    token = values["unsubscribe_url"].rsplit("/", 2)[-2]
    subscriber = Subscriber.objects.get(email=address)
    assert tokens.manage_token_parts(token) == (subscriber.key.hex, campaign.pk)
    assert values["preferences_url"].endswith(f"/{token}/")
    response = client.get(values["preferences_url"].replace("http://testserver", ""))
    assert response.status_code == 200


def test_the_chunk_signer_makes_the_tokens_signing_dumps_makes(eastfield, monkeypatch):
    subscriber = SubscriberFactory(area=eastfield)
    monkeypatch.setattr(signing.TimestampSigner, "timestamp", lambda self: "1xYL56")
    signer = tokens.ManageTokenSigner()
    assert signer.token(subscriber.key.hex, 42) == tokens.manage_token(subscriber, 42)
    assert signer.token(subscriber.key.hex) == tokens.manage_token(subscriber)


class PerRecipientIds(CampaignBackend):
    """An ESP that answers with one message id per recipient and refuses one address."""

    refuse = "refused@example.org"

    def send_batch(self, *, campaign, recipients):
        return BatchResult(
            message_ids={r.email: f"<id-{r.delivery_id}>" for r in recipients},
            refused={self.refuse: "rejected"},
        )


def test_per_recipient_ids_and_refusals_are_recorded_in_one_pass(
    settings, approver, campaign, eastfield
):
    settings.SIGNPOST_CAMPAIGN_BACKEND = f"{__name__}.PerRecipientIds"
    SubscriberFactory.create_batch(3, area=eastfield)
    SubscriberFactory(area=eastfield, email=PerRecipientIds.refuse)
    start(campaign, approver)
    assert sending_services.campaign_send_chunk(campaign_id=campaign.pk) == 5
    for delivery in Delivery.objects.select_related("subscriber"):
        if delivery.subscriber.email == PerRecipientIds.refuse:
            assert delivery.status == Delivery.Status.FAILED and not delivery.esp_message_id
        else:
            assert delivery.status == Delivery.Status.SENT
            assert delivery.esp_message_id == f"<id-{delivery.pk}>"
        assert delivery.claim is None
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_retry_sends_exactly_the_claimed_rows_and_nobody_else(
    settings, approver, campaign, eastfield
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    SubscriberFactory.create_batch(3, area=eastfield)
    start(campaign, approver)
    claim, rows = claims.claim_chunk(campaign.pk, 2)
    claimed = {r.email for r in rows}
    assert len(claimed) == 2
    assert sending_services.campaign_send_chunk(campaign_id=campaign.pk, claim=claim) == 2
    assert set(sent_to()) == claimed
    # The same claim again (a duplicate retry) finds its rows already sent.
    assert sending_services.campaign_send_chunk(campaign_id=campaign.pk, claim=claim) == 0
    assert len(sent_to()) == 2


def test_a_lost_ledger_task_is_written_again_once_the_lease_runs_out(
    settings, approver, campaign, eastfield, run_commits
):
    SubscriberFactory.create_batch(2, area=eastfield)
    sending_services.campaign_send_now(campaign=campaign, user=approver)  # its task never runs
    assert run_commits(sending_services.deliveries_resume_stalled) == 0
    assert not Delivery.objects.exists() and not mail.outbox
    later = timezone.now() + datetime.timedelta(seconds=settings.SIGNPOST_SEND_LEASE_SECONDS + 1)
    run_commits(lambda: sending_services.deliveries_resume_stalled(now=later))
    assert len(sent_to()) == 3 and len(set(sent_to())) == 3
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_chunk_before_the_ledger_is_written_does_not_finish_the_campaign(approver, campaign):
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    assert sending_services.campaign_send_chunk(campaign_id=campaign.pk) == 0
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENDING


def test_a_segment_emptied_before_the_ledger_finishes_the_campaign_with_nobody_mailed(
    approver, campaign
):
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    for subscriber in Subscriber.objects.all():
        subscriber_services.subscriber_unsubscribe(subscriber=subscriber, method="email_link")
    assert sending_services.campaign_write_deliveries(campaign_id=campaign.pk) == 0
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.recipient_count == 0
    assert not mail.outbox


def test_each_chunk_task_claims_only_its_own_id_range(settings, approver, campaign, eastfield):
    settings.SIGNPOST_ESP_BATCH_SIZE = 3
    SubscriberFactory.create_batch(6, area=eastfield)
    start(campaign, approver)
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    ranges = sending_services._chunk_ranges(campaign.pk, 3)
    assert ranges == [(ids[0], ids[2]), (ids[3], ids[5]), (ids[6], ids[6])]
    first_id, last_id = ranges[1]
    sent = sending_services.campaign_send_chunk(
        campaign_id=campaign.pk, first_id=first_id, last_id=last_id
    )
    assert sent == 3
    assert set(
        Delivery.objects.filter(status=Delivery.Status.SENT).values_list("pk", flat=True)
    ) == set(ids[3:6])
    # The same range again finds nothing left to claim.
    assert (
        sending_services.campaign_send_chunk(
            campaign_id=campaign.pk, first_id=first_id, last_id=last_id
        )
        == 0
    )
    assert len(sent_to()) == 3


def test_a_campaign_finishes_even_when_the_cache_loses_its_tally(
    settings, approver, campaign, eastfield, run_commits
):
    from django.core.cache import cache

    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    SubscriberFactory.create_batch(3, area=eastfield)
    start(campaign, approver)
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    cache.clear()  # e.g. Redis restarted mid-send
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    assert not Delivery.objects.filter(status__in=["queued", "sending"]).exists()
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENDING
    run_commits(sending_services.deliveries_resume_stalled)  # beat, a minute later
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
    assert len(sent_to()) == 4 and len(set(sent_to())) == 4


def test_a_crash_after_the_esp_accepted_a_chunk_puts_only_that_chunk_at_risk(
    settings, approver, campaign, eastfield, monkeypatch, run_commits
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    SubscriberFactory.create_batch(4, area=eastfield)
    start(campaign, approver)
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)  # chunk 1 sent and recorded

    def worker_dies(*args, **kwargs):
        raise SystemExit("SIGKILL")

    # Chunk 2 reaches the ESP, then its worker dies before recording it.
    with monkeypatch.context() as patch:
        patch.setattr(batches, "_record_sent", worker_dies)
        with pytest.raises(SystemExit):
            sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    at_risk = set(mail.outbox[-1].to)
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)  # chunk 3, another worker
    later = timezone.now() + datetime.timedelta(seconds=settings.SIGNPOST_SEND_LEASE_SECONDS + 1)
    run_commits(lambda: sending_services.deliveries_resume_stalled(now=later))

    recipients = [address for message in mail.outbox for address in message.to]
    twice = {address for address in recipients if recipients.count(address) > 1}
    assert set(recipients) == set(Subscriber.objects.values_list("email", flat=True))
    assert twice == at_risk and len(at_risk) == 2
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


# --- Overlapping batches: a chunk task sends a range a batch at a time, claiming and
# building the next while one is at the ESP, and writes the ledger's next piece meanwhile.


class Journal(CampaignBackend):
    """Notes when each batch goes out; ``fail_on`` makes that call a transient error."""

    events: list = []
    fail_on: int | None = None

    def send_batch(self, *, campaign, recipients):
        from newsletters.campaign_backends import CampaignBackendError

        calls = sum(1 for event in self.events if event[0] == "sent") + 1
        if calls == self.fail_on:
            self.events.append(("failed", {r.delivery_id for r in recipients}))
            raise CampaignBackendError("503 from the ESP", transient=True)
        self.events.append(("sent", {r.delivery_id for r in recipients}))
        for r in recipients:
            mail.outbox.append(mail.EmailMessage(to=[r.email]))
        return BatchResult(message_ids={r.email: "<batch>" for r in recipients})


@pytest.fixture
def journal(settings, monkeypatch):
    settings.SIGNPOST_CAMPAIGN_BACKEND = f"{__name__}.Journal"
    monkeypatch.setattr(Journal, "events", [])
    monkeypatch.setattr(Journal, "fail_on", None)
    record = batches._record_sent

    def noted(campaign_id, claim, recipients, result):
        Journal.events.append(("recorded", {r.delivery_id for r in recipients}))
        return record(campaign_id, claim, recipients, result)

    monkeypatch.setattr(batches, "_record_sent", noted)
    return Journal


def whole_range(campaign):
    ids = Delivery.objects.filter(campaign=campaign).values_list("pk", flat=True)
    return {"first_id": min(ids), "last_id": max(ids)}


def test_each_batch_of_a_range_goes_out_only_once_the_one_before_is_recorded(
    settings, approver, campaign, eastfield, journal
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    SubscriberFactory.create_batch(5, area=eastfield)
    start(campaign, approver)
    sent = sending_services.campaign_send_chunk(campaign_id=campaign.pk, **whole_range(campaign))
    assert sent == 6
    kinds = [kind for kind, _ in journal.events]
    assert kinds == ["sent", "recorded"] * 3
    batches = [rows for kind, rows in journal.events if kind == "sent"]
    assert all(len(rows) == 2 for rows in batches) and len(set().union(*batches)) == 6
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_range_costs_the_same_queries_at_any_batch_size(
    settings, approver, comms_officer, eastfield, riverside, journal
):
    counts = []
    for batch, area in ((2, eastfield), (9, riverside)):
        settings.SIGNPOST_ESP_BATCH_SIZE = batch
        SubscriberFactory.create_batch(3 * batch, area=area)
        campaign = CampaignFactory(created_by=comms_officer, areas=[area])
        campaign_services.campaign_approve(campaign=campaign, user=approver)
        start(campaign, approver)
        journal.events.clear()
        with CaptureQueriesContext(connection) as queries:
            sent = sending_services.campaign_send_chunk(
                campaign_id=campaign.pk, **whole_range(campaign)
            )
        assert sent == 3 * batch
        assert [kind for kind, _ in journal.events].count("sent") == 3
        # Per batch a claim and a record (both an UPDATE naming the claim), and one
        # claim that finds the range done (on SQLite a SELECT only).
        updates = [
            q for q in queries.captured_queries if q["sql"].lstrip().startswith(("UPDATE", "WITH"))
        ]
        finding_none = 1 if connection.vendor == "postgresql" else 0
        assert len([q for q in updates if "claim" in q["sql"]]) == 3 + 3 + finding_none
        assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT
        # The sending's own queries (the activity calendar's caches warm up on the first).
        counts.append(sum("newsletters_" in q["sql"] for q in queries.captured_queries))
    assert counts[0] == counts[1]


def test_a_worker_dying_mid_range_puts_only_the_batch_at_the_esp_at_risk(
    settings, approver, campaign, eastfield, journal, monkeypatch, run_commits
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    SubscriberFactory.create_batch(5, area=eastfield)
    start(campaign, approver)

    def worker_dies(*args, **kwargs):
        raise SystemExit("SIGKILL")

    with monkeypatch.context() as patch:
        patch.setattr(batches, "_record_sent", worker_dies)
        with pytest.raises(SystemExit):
            sending_services.campaign_send_chunk(campaign_id=campaign.pk, **whole_range(campaign))
    # The first batch reached the ESP; the next, claimed and built, never went out.
    at_risk = {m.to[0] for m in mail.outbox}
    assert len(at_risk) == 2
    claimed_ahead = Delivery.objects.filter(status=Delivery.Status.SENDING).count()
    assert claimed_ahead == 2 + 2 * batches.BATCHES_AHEAD
    later = timezone.now() + datetime.timedelta(seconds=settings.SIGNPOST_SEND_LEASE_SECONDS + 1)
    run_commits(lambda: sending_services.deliveries_resume_stalled(now=later))

    recipients = sent_to()
    twice = {address for address in recipients if recipients.count(address) > 1}
    assert set(recipients) == set(Subscriber.objects.values_list("email", flat=True))
    assert twice == at_risk
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


class OwnIds(CampaignBackend):
    """An ESP that gives each recipient a message id of its own and refuses one."""

    def send_batch(self, *, campaign, recipients):
        for r in recipients[1:]:
            mail.outbox.append(mail.EmailMessage(to=[r.email]))
        return BatchResult(
            message_ids={r.email: f"<{r.delivery_id}@esp>" for r in recipients[1:]},
            refused={recipients[0].email: "rejected"},
        )


def test_per_recipient_message_ids_and_refusals_are_recorded_row_by_row(
    settings, approver, campaign, eastfield
):
    settings.SIGNPOST_CAMPAIGN_BACKEND = f"{__name__}.OwnIds"
    settings.SIGNPOST_ESP_BATCH_SIZE = 3
    SubscriberFactory.create_batch(2, area=eastfield)
    start(campaign, approver)
    assert sending_services.campaign_send_chunk(campaign_id=campaign.pk) == 3
    first, *rest = Delivery.objects.order_by("pk")
    assert (first.status, first.error) == (Delivery.Status.FAILED, "Refused by the ESP")
    assert [(d.status, d.esp_message_id) for d in rest] == [
        (Delivery.Status.SENT, f"<{d.pk}@esp>") for d in rest
    ]
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_a_transient_error_mid_range_puts_the_batches_built_ahead_back_and_the_retry_goes_on(
    settings, approver, campaign, eastfield, journal
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    SubscriberFactory.create_batch(7, area=eastfield)
    start(campaign, approver)
    journal.fail_on = 2
    span = whole_range(campaign)
    with pytest.raises(sending_services.ChunkRetry) as retry:
        sending_services.campaign_send_chunk(campaign_id=campaign.pk, **span)
    failed = next(rows for kind, rows in journal.events if kind == "failed")
    # Only the failed batch stays claimed; the ones built ahead are queued as they were.
    claimed = Delivery.objects.filter(claim=retry.value.claim, status=Delivery.Status.SENDING)
    assert set(claimed.values_list("pk", flat=True)) == failed
    assert Delivery.objects.filter(status=Delivery.Status.SENDING).count() == 2
    assert set(
        Delivery.objects.filter(status=Delivery.Status.QUEUED).values_list("attempts", flat=True)
    ) == {0}
    assert retry.value.first_id == max(failed) + 1 and retry.value.last_id == span["last_id"]

    journal.fail_on = None
    assert (
        sending_services.campaign_send_chunk(
            campaign_id=campaign.pk,
            claim=retry.value.claim,
            first_id=retry.value.first_id,
            last_id=retry.value.last_id,
        )
        == 6
    )
    resent = [rows for kind, rows in journal.events if kind == "sent"][1]
    assert resent == failed  # the retry sends exactly the claimed rows first
    assert sorted(sent_to()) == sorted(Subscriber.objects.values_list("email", flat=True))
    assert len(sent_to()) == 8
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


def test_the_ledger_is_written_a_piece_at_a_time_while_the_piece_before_is_sent(
    settings, approver, campaign, eastfield, journal, monkeypatch, run_commits
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    settings.SIGNPOST_ESP_BATCHES_PER_TASK = 1
    SubscriberFactory.create_batch(4, area=eastfield)
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    ledger_at_first_record = []
    record = batches._record_sent

    def noted(*args):
        ledger_at_first_record.append(Delivery.objects.count())
        return record(*args)

    monkeypatch.setattr(batches, "_record_sent", noted)
    assert (
        run_commits(lambda: sending_services.campaign_write_deliveries(campaign_id=campaign.pk))
        == 2
    )
    # The second piece was written while the first piece's batch was at the ESP.
    assert ledger_at_first_record[0] == 4
    assert len(sent_to()) == 5 and len(set(sent_to())) == 5
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.recipient_count == 5
    assert campaign.ledger_written_at is not None


def test_a_campaign_is_not_finished_while_its_ledger_is_still_being_written(
    settings, approver, campaign, eastfield
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    settings.SIGNPOST_ESP_BATCHES_PER_TASK = 1
    SubscriberFactory.create_batch(2, area=eastfield)
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    assert sending_services.campaign_write_deliveries(campaign_id=campaign.pk) == 2  # its task lost
    sending_services.campaign_send_chunk(campaign_id=campaign.pk)
    assert not Delivery.objects.filter(status__in=["queued", "sending"]).exists()
    assert not finishing.campaign_finish_if_done(campaign_id=campaign.pk)
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENDING


def test_a_ledger_piece_lost_with_its_worker_is_sent_and_continued_by_the_resume_task(
    settings, approver, campaign, eastfield, run_commits
):
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    settings.SIGNPOST_ESP_BATCHES_PER_TASK = 1
    SubscriberFactory.create_batch(4, area=eastfield)
    sending_services.campaign_send_now(campaign=campaign, user=approver)
    # The first piece is written; the worker dies before its chunk task is queued.
    assert sending_services.campaign_write_deliveries(campaign_id=campaign.pk) == 2
    assert run_commits(sending_services.deliveries_resume_stalled) == 0
    assert not mail.outbox  # a lease has not passed: the writer may still be alive
    later = timezone.now() + datetime.timedelta(seconds=settings.SIGNPOST_SEND_LEASE_SECONDS + 1)
    run_commits(lambda: sending_services.deliveries_resume_stalled(now=later))
    assert len(sent_to()) == 5 and len(set(sent_to())) == 5
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.SENT


@pytest.fixture
def migrated(transactional_db):
    """Outside a test transaction, with what migrations made (roles, home page), even
    after a live-server test emptied the database."""
    from tests.conftest import ensure_migrated_data

    ensure_migrated_data()


@pytest.mark.postgres
def test_outside_a_transaction_the_batches_ahead_are_claimed_in_a_thread_of_their_own(
    migrated, settings, comms_officer, approver, eastfield
):
    """A worker's chunk runs outside any transaction: there a second thread, with its
    own database connection, claims and builds the batches ahead and writes the ledger's
    next piece; everyone is still mailed once and the thread is gone at the end."""
    import threading

    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    settings.SIGNPOST_ESP_BATCHES_PER_TASK = 2
    SubscriberFactory.create_batch(9, area=eastfield)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    threads = threading.active_count()
    threaded = []
    init = batches.BatchesAhead.__init__

    def noting(self, *args, **kwargs):
        init(self, *args, **kwargs)
        threaded.append(self.threaded)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(batches.BatchesAhead, "__init__", noting)
        # Committed at once: the ledger task and the chunk tasks run in this process.
        sending_services.campaign_send_now(campaign=campaign, user=approver)
    assert len(threaded) == 3 and all(threaded)  # pieces of 4, 4 and 1
    assert len(sent_to()) == 9 and len(set(sent_to())) == 9
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.recipient_count == 9
    assert threading.active_count() == threads


@pytest.mark.postgres
def test_a_ledger_piece_that_fails_in_its_thread_fails_the_task_and_is_written_again(
    migrated, settings, comms_officer, approver, eastfield
):
    """The next piece of the ledger is written in a thread of its own beside the claims;
    its failure is the task's failure, raised once the range is sent, and the resume
    task writes the piece again."""
    settings.SIGNPOST_ESP_BATCH_SIZE = 2
    settings.SIGNPOST_ESP_BATCHES_PER_TASK = 2
    SubscriberFactory.create_batch(9, area=eastfield)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    write = sending_services._write_ledger_piece
    calls = []

    def fails_in_the_chunk(campaign_id, first_size=None):
        calls.append(first_size)
        if first_size is None:  # the chunk's piece, not the ledger task's first
            raise RuntimeError("the database went away")
        return write(campaign_id, first_size)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sending_services, "_write_ledger_piece", fails_in_the_chunk)
        with pytest.raises(RuntimeError, match="went away"):
            sending_services.campaign_send_now(campaign=campaign, user=approver)
    assert calls == [6, None]
    # The first piece (one task's range: 4) was sent; the rest was not written.
    assert Delivery.objects.filter(campaign=campaign).count() == 4
    assert len(sent_to()) == 4
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENDING and campaign.ledger_written_at is None

    later = timezone.now() + datetime.timedelta(seconds=settings.SIGNPOST_SEND_LEASE_SECONDS + 1)
    sending_services.deliveries_resume_stalled(now=later)
    assert len(sent_to()) == 9 and len(set(sent_to())) == 9
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT and campaign.recipient_count == 9
