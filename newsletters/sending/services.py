"""Sending a campaign: ``campaign_send_now`` is the one entry point (the manage page's
*Send now* and beat's scheduled sends call it); behind it the engine writes the ledger in
pieces, sends each piece's batches from chunk tasks (``batches``, ``claims``), resumes
what a dead worker left and finishes the campaign (``finishing``)."""

import concurrent.futures
import datetime
import functools
import logging

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.utils import timezone
from wagtail.log_actions import log

from ..campaign_backends import batch_size, get_backend
from ..campaigns.models import Campaign
from ..campaigns.selectors import (
    campaign_email,
    campaign_segment,
    campaign_source_language,
    campaign_translation_emails,
)
from ..campaigns.services import (
    CampaignError,
    campaign_check_as_approved,
    campaign_locked,
    campaign_send_refusal_log,
)
from . import batches, claims, finishing, tasks
from .batches import ChunkRetry
from .models import Delivery

logger = logging.getLogger(__name__)

# Claims a delivery gets before it is given up as failed.
MAX_SEND_ATTEMPTS = 5

__all__ = ["ChunkRetry"]


@transaction.atomic
def campaign_send_now(*, campaign: Campaign, user) -> Campaign:
    """Freeze the email, mark the campaign sending and hand the ledger to a worker: the
    send button returns at once, however long the list. Calling it again for a campaign
    already sending does nothing."""
    campaign = campaign_locked(campaign)
    if campaign.status in {Campaign.Status.SENDING, Campaign.Status.SENT}:
        return campaign
    if campaign.status not in {Campaign.Status.APPROVED, Campaign.Status.SCHEDULED}:
        raise CampaignError("A campaign must be approved before it is sent.")
    campaign_check_as_approved(campaign)
    segment_size = campaign_segment(campaign).count()
    if not segment_size:
        raise CampaignError("Nobody is in this campaign's segment now, so nothing was sent.")
    rendered = campaign_email(campaign)
    campaign.rendered_subject = rendered.subject
    campaign.rendered_html = rendered.html
    campaign.rendered_text = rendered.text
    campaign.rendered_language = campaign_source_language(campaign)
    # Each approved translation rendered once, for every recipient who reads it.
    campaign.rendered_translations = {
        code: {"subject": email.subject, "html": email.html, "text": email.text}
        for code, email in campaign_translation_emails(campaign).items()
        if code != campaign.rendered_language
    }
    campaign.status = Campaign.Status.SENDING
    campaign.send_started_at = timezone.now()
    campaign.recipient_count = segment_size  # the ledger task records the exact count
    campaign.save()
    log(
        instance=campaign,
        action="newsletters.campaign.send",
        user=user,
        data={"recipients": segment_size},
    )
    campaign_id = campaign.pk
    transaction.on_commit(lambda: _queue_write_deliveries(campaign_id))
    return campaign


def _queue_write_deliveries(campaign_id: int) -> None:
    tasks.campaign_write_deliveries.delay(campaign_id)


def campaign_write_deliveries(*, campaign_id: int) -> int:
    """Write the ledger's first piece and queue its chunk task, which writes the next
    piece while its first batch is at the ESP, and so on: sending starts after one
    piece, not after the whole list, and one worker overlaps the ledger with sending.
    The first piece is short (nothing is sent while it is written). Running this twice
    writes nothing twice. Returns the rows written."""
    return _write_ledger_piece(campaign_id, first_size=batch_size() * (batches.BATCHES_AHEAD + 1))


def _ledger_piece_size() -> int:
    """A piece of the ledger is one chunk task's range."""
    return batch_size() * max(1, settings.SIGNPOST_ESP_BATCHES_PER_TASK)


def _ledger_languages(campaign: Campaign) -> list[tuple[str, Q]]:
    """The ledger's languages in the order it is written, each with the subscribers
    whose email is in it: the newsletter's own language first (everyone without an
    approved translation in theirs), then each translation's."""
    translated = sorted(campaign.rendered_translations or {})
    source = campaign.rendered_language or settings.LANGUAGE_CODE
    return [(source, ~Q(language__in=translated))] + [
        (code, Q(language=code)) for code in translated
    ]


def _ledger_position(campaign: Campaign, languages: list) -> tuple[int, int]:
    """Where the ledger's next piece starts: the language being written (an index into
    ``languages``) and the highest subscriber written in it. Languages are written one
    after another, each in subscriber order, so the newest row says both."""
    ledger = Delivery.objects.filter(campaign_id=campaign.pk)
    newest = ledger.order_by("-pk").values_list("language", "subscriber_id").first()
    if newest is None:
        return 0, 0
    language, after = newest
    codes = [code for code, _subscribers in languages]
    index = codes.index(language) if language in codes else 0
    if after is None:  # that subscriber has since been erased
        after = ledger.filter(language=language).aggregate(last=Max("subscriber_id"))["last"]
    return index, after or 0


def _write_ledger_piece(campaign_id: int, first_size: int | None = None) -> int:
    """Write the next piece of the ledger, one Delivery row for each of the segment's
    next subscribers by id, in one ``INSERT … SELECT`` from the segment query (the ids
    never pass through Python), and queue the chunk task that sends it (and writes the
    piece after it). Each piece holds the segment as it is when it is written. Writers
    of one campaign's ledger take turns on its row and start after the highest
    subscriber already in it, so a second writer (a redelivered task, the resume task)
    writes nothing twice. ``first_size`` caps the first piece. Returns the rows
    written.

    With translations, the ledger is written a language at a time (``_ledger_languages``)
    and each row says its email's language: a language's rows are together, each range
    a chunk is given is in one language, and so is every batch. A piece that finishes
    one language goes on into the next, one chunk per language."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if (
            campaign is None
            or campaign.status != Campaign.Status.SENDING
            or campaign.ledger_written_at is not None
        ):
            return 0
        ledger = Delivery.objects.filter(campaign_id=campaign_id)
        languages = _ledger_languages(campaign)
        index, after = _ledger_position(campaign, languages)
        started = bool(index or after)
        size = _ledger_piece_size()
        if first_size and not started:
            size = min(size, first_size)
        segment = campaign_segment(campaign)
        if len(languages) > 1:
            # A subscriber who changed language during the send is in the ledger under
            # the language they had: not again under their new one.
            segment = segment.exclude(
                Exists(Delivery.objects.filter(campaign_id=campaign_id, subscriber=OuterRef("pk")))
            )
        ranges, written, complete = [], 0, False
        while True:
            code, subscribers = languages[index]
            rows = _ledger_insert(
                campaign_id, segment.filter(subscribers), code, after=after, size=size - written
            )
            if rows:
                ranges.append((min(rows), max(rows)))
            short = len(rows) < size - written
            written += len(rows)
            if not short:
                break
            if index == len(languages) - 1:
                # A piece short of the size in the last language is the segment's end.
                complete = True
                break
            index, after = index + 1, 0
        if written and not started and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Tell the planner about the new rows before the first chunk, queued at
                # the commit, queries them (on another worker, at once).
                cursor.execute(f"ANALYZE {Delivery._meta.db_table}")
        if complete:
            campaign.ledger_written_at = timezone.now()
            campaign.recipient_count = ledger.count()
            campaign.save(update_fields=["ledger_written_at", "recipient_count"])
            if not campaign.recipient_count:
                # Everyone left between the click and now: nothing to send.
                finishing.campaign_mark_sent(campaign)
                return 0
        for number, (first_id, last_id) in enumerate(ranges):
            # The last range carries on the ledger, unless it is all written.
            more = not complete and number == len(ranges) - 1
            transaction.on_commit(
                functools.partial(
                    _queue_chunk, campaign_id, first_id, last_id, continue_ledger=more
                )
            )
    return written


def _ledger_insert(campaign_id: int, subscribers, language: str, *, after: int, size: int):
    """Insert the ledger rows of up to ``size`` of ``subscribers`` after subscriber
    ``after``, in subscriber order, in ``language``; the new rows' ids."""
    piece = subscribers.filter(pk__gt=after).order_by("pk").values(recipient=F("pk"))[:size]
    select_sql, params = piece.query.sql_with_params()
    with connection.cursor() as cursor:
        # Table names from the models; every value is a parameter.
        cursor.execute(
            f"INSERT INTO {Delivery._meta.db_table} "  # noqa: S608
            "(campaign_id, subscriber_id, status, attempts, esp_message_id, error, language) "
            f"SELECT %s, segment.recipient, %s, 0, '', '', %s FROM ({select_sql}) AS segment "
            # WHERE true: SQLite's grammar needs it before ON CONFLICT.
            "WHERE true ORDER BY segment.recipient ON CONFLICT DO NOTHING RETURNING id",
            [campaign_id, Delivery.Status.QUEUED, language, *params],
        )
        return [delivery for (delivery,) in cursor.fetchall()]


def _queue_chunk(campaign_id: int, first_id: int, last_id: int, *, continue_ledger: bool):
    tasks.campaign_send_chunk.delay(
        campaign_id, first_id=first_id, last_id=last_id, continue_ledger=continue_ledger
    )


def campaign_enqueue_chunks(*, campaign_id: int) -> int:
    """Queue one chunk task per few batches of queued rows (``SIGNPOST_ESP_BATCHES_PER_TASK``),
    each given its rows' id range, so a claim reads a short index range however far the
    send has got, and a task's batches overlap one another's ESP calls. A task finding
    its range already sent stops, so queueing too many is harmless."""
    per_task = max(1, settings.SIGNPOST_ESP_BATCHES_PER_TASK)
    ranges = _chunk_ranges(campaign_id, batch_size() * per_task)
    for first_id, last_id in ranges:
        tasks.campaign_send_chunk.delay(campaign_id, first_id=first_id, last_id=last_id)
    if not ranges:
        finishing.campaign_finish_if_done(campaign_id=campaign_id)
    return len(ranges)


def _chunk_ranges(campaign_id: int, size: int) -> list[tuple[int, int]]:
    """The first and last id of each batch of a campaign's queued rows, in one query."""
    with connection.cursor() as cursor:
        # Table name from the model; every value is a parameter.
        cursor.execute(
            # Counted within each language, so a range never takes in two languages' rows.
            "SELECT min(id), max(id) FROM (SELECT id, language, (row_number() OVER "  # noqa: S608
            f"(PARTITION BY language ORDER BY id) - 1) / %s AS chunk FROM "
            f"{Delivery._meta.db_table} WHERE campaign_id = %s AND status = %s) AS numbered "
            "GROUP BY language, chunk ORDER BY 1",
            [size, campaign_id, Delivery.Status.QUEUED],
        )
        return [(first, last) for first, last in cursor.fetchall()]


def campaigns_send_due(*, now=None) -> list[int]:
    """Start every scheduled campaign whose time has come (run by beat each minute)."""
    now = now or timezone.now()
    started = []
    for campaign in Campaign.objects.filter(
        status=Campaign.Status.SCHEDULED, scheduled_for__lte=now
    ):
        try:
            campaign_send_now(campaign=campaign, user=campaign.approved_by)
        except CampaignError as error:
            logger.warning("Scheduled campaign %s not sent: %s", campaign.pk, error.message)
            campaign_send_refusal_log(campaign=campaign, user=None, reason=error.message)
            Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.APPROVED)
            continue
        started.append(campaign.pk)
    return started


def campaign_send_chunk(
    *,
    campaign_id: int,
    claim: str | None = None,
    first_id: int | None = None,
    last_id: int | None = None,
    continue_ledger: bool = False,
) -> int:
    """Send a campaign's queued rows between ``first_id`` and ``last_id`` a batch at a
    time (one batch when no range is given): claim a batch, call the ESP once, record
    the message ids. Returns how many were sent. With ``continue_ledger`` (a range the
    ledger's latest piece), the next piece is written while the first batch is out.

    The batches overlap: while one batch's ESP call is in flight, the next ones are
    claimed and given their merge values (``batches.BatchesAhead``) and their requests built in
    threads; each goes out only once the one before it is recorded, so at most one
    batch can have reached the ESP unrecorded when a worker dies. Raises ``ChunkRetry`` on a transient ESP error,
    keeping the claim so a retry sends exactly the same rows (then the rest of the
    range). The queries are the same for a batch of ten and of a thousand."""
    campaign = (
        Campaign.objects.only(
            "status",
            "recipient_count",
            "rendered_subject",
            "rendered_html",
            "rendered_text",
            "rendered_translations",
        )
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None or campaign.status != Campaign.Status.SENDING:
        return 0
    size = batch_size()
    one_batch = first_id is None and last_id is None
    end = last_id or claims.ANY_ID[1]
    languages = batches.CampaignInLanguages(campaign)
    sent = 0
    # A batch waiting at its gate holds a thread: one sending, the rest built ahead.
    with (
        concurrent.futures.ThreadPoolExecutor(max_workers=batches.BATCHES_AHEAD + 1) as calls,
        batches.short_gil_switches(),
    ):
        send = functools.partial(batches.call_prepare, calls, get_backend(), languages)
        if claim is not None:
            current = send(
                batches.batch_from_claim(
                    campaign, claim, claims.claim_renew(campaign_id, claim), languages
                )
            )
            if current is None:
                return 0
        else:
            first = (first_id or claims.ANY_ID[0], end)
            current = send(
                batches.batch_from_claim(
                    campaign, *claims.claim_chunk(campaign_id, size, first), languages
                )
            )
            if current is None:
                finishing.campaign_finish_if_done(campaign_id=campaign_id)
                return 0
        batches.gate_release(current)
        if one_batch:
            sent += batches.batch_settle(campaign, current)
            return sent

        def claim_next(cursor: int) -> batches.Batch | None:
            return send(
                batches.batch_from_claim(
                    campaign, *claims.claim_chunk(campaign_id, size, (cursor, end)), languages
                )
            )

        write_ledger = functools.partial(_write_ledger_piece, campaign_id)
        ahead = batches.BatchesAhead(
            claim_next, current.last_id + 1, first=write_ledger if continue_ledger else None
        )
        try:
            while current is not None:
                ahead.fill()
                try:
                    sent += batches.batch_settle(campaign, current)
                except ChunkRetry as retry:
                    ahead.close(release=True)
                    retry.first_id, retry.last_id = current.last_id + 1, end
                    raise
                current = batches.next_batch(ahead)
                batches.gate_release(current)
        finally:
            # Whatever went wrong, no prepared call may go out or be left waiting.
            ahead.close(release=False)
    ahead.raise_first_error()
    return sent


def deliveries_resume_stalled(*, now=None) -> int:
    """Put rows back in the queue whose chunk's worker died mid-send, or whose retries ran
    out (their lease ran out either way), and queue tasks for them. Only that chunk's
    recipients can get a second copy. After ``MAX_SEND_ATTEMPTS`` claims a row fails."""
    now = now or timezone.now()
    with transaction.atomic():
        stalled = Delivery.objects.select_for_update(skip_locked=True).filter(
            status=Delivery.Status.SENDING, lease_expires_at__lt=now
        )
        campaign_ids = set(stalled.values_list("campaign_id", flat=True))
        stalled_ids = list(stalled.values_list("pk", flat=True))
        Delivery.objects.filter(pk__in=stalled_ids, attempts__gte=MAX_SEND_ATTEMPTS).update(
            status=Delivery.Status.FAILED, claim=None, error="Gave up after repeated failures"
        )
        count = Delivery.objects.filter(pk__in=stalled_ids, status=Delivery.Status.SENDING).update(
            status=Delivery.Status.QUEUED, claim=None, lease_expires_at=None
        )
    for campaign_id in campaign_ids:
        transaction.on_commit(lambda cid=campaign_id: campaign_enqueue_chunks(campaign_id=cid))
    # A campaign whose ledger is not all written and has nothing in flight a lease after
    # it started may have lost the task that was to send its queued rows and write the
    # next piece (its worker died): queue both. A second chunk or writer is harmless.
    lease = datetime.timedelta(seconds=settings.SIGNPOST_SEND_LEASE_SECONDS)
    unwritten = Campaign.objects.filter(
        status=Campaign.Status.SENDING,
        send_started_at__lt=now - lease,
        ledger_written_at__isnull=True,
    ).exclude(
        Exists(Delivery.objects.filter(campaign_id=OuterRef("pk"), status=Delivery.Status.SENDING))
    )
    for campaign_id in unwritten.values_list("pk", flat=True):
        if campaign_id not in campaign_ids:
            transaction.on_commit(lambda cid=campaign_id: campaign_enqueue_chunks(campaign_id=cid))
        transaction.on_commit(lambda cid=campaign_id: _queue_write_deliveries(cid))
    # Chunks ask the database whether their campaign is done only when the cache's tally
    # says so; this asks for every sending campaign, whatever the cache holds.
    for campaign_id in Campaign.objects.filter(status=Campaign.Status.SENDING).values_list(
        "pk", flat=True
    ):
        if campaign_id not in campaign_ids:
            finishing.campaign_finish_if_done(campaign_id=campaign_id)
    return count
