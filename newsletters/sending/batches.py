"""A chunk's batches on their way to the ESP: claimed, merged and built ahead of the one
in flight, each let out only once the one before it is recorded, then settled."""

import collections
import concurrent.futures
import contextlib
import copy
import logging
import queue
import sys
import threading
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone, translation

from ..campaign_backends import CampaignBackendError, Recipient, SendGate
from ..campaigns.models import Campaign
from . import finishing, merge
from .models import Delivery

logger = logging.getLogger(__name__)


class ChunkRetry(Exception):
    """A transient ESP failure: the same claimed rows are to be sent again later, then
    the rest of the range (``first_id`` to ``last_id``) the chunk had not claimed yet."""

    def __init__(self, message: str, *, claim: str):
        super().__init__(message)
        self.claim = claim
        self.first_id: int | None = None
        self.last_id: int | None = None


def esp_throttle_acquire(count: int, *, clock=time.time, sleep=time.sleep) -> None:
    """Wait until ``count`` emails fit in the global per-second budget. The budget is a
    counter per second in the shared cache (Redis), so every worker draws on one bucket."""
    rate = settings.SIGNPOST_ESP_RATE_PER_SECOND
    if rate <= 0:
        return
    while True:
        now = clock()
        window = int(now)
        key = f"newsletters:esp-rate:{window}"
        cache.add(key, 0, timeout=10)
        used = cache.incr(key, count)
        if used <= rate or used == count:
            # A batch bigger than one second's budget takes the following seconds too.
            for ahead in range(1, -(-count // rate)):
                cache.set(f"newsletters:esp-rate:{window + ahead}", rate, timeout=10 + ahead)
            return
        sleep(max(0.001, window + 1 - now))


# Batches a chunk claims and builds ahead of the one at the ESP: enough that the next
# request is built by the time the one before it is recorded.
BATCHES_AHEAD = 2
GIL_SWITCH_SECONDS = 0.0005


class Batch(NamedTuple):
    """One claimed batch on its way: its mailable recipients, the gate that lets it go
    to the ESP, and the call building (or sending) it in a thread."""

    claim: str
    last_id: int
    recipients: list
    gate: object | None = None
    call: concurrent.futures.Future | None = None
    # The language of the batch's email: the ledger keeps each language's rows together
    # (``services._write_ledger_piece``), so a batch is claimed in one language.
    language: str = ""


class CampaignInLanguages:
    """A chunk's campaign in each language its batches are in: the email rendered in it
    at the start of the send, the subscription links under its address (``/cy/…``) and
    the greeting for a subscriber without a name, each made once per language a chunk
    meets, not once per recipient. A language the campaign has no approved translation
    in gets the newsletter's own email (the ledger never names one, but a row from
    before languages has none)."""

    def __init__(self, campaign: Campaign):
        self.campaign = campaign
        self._made: dict[str, tuple] = {}

    def __call__(self, language: str) -> tuple[Campaign, merge.ManageLinks, str]:
        if language not in self._made:
            rendering = (self.campaign.rendered_translations or {}).get(language)
            localised = self.campaign
            if rendering:
                localised = copy.copy(self.campaign)
                localised.rendered_subject = rendering["subject"]
                localised.rendered_html = rendering["html"]
                localised.rendered_text = rendering["text"]
            with translation.override(language or settings.LANGUAGE_CODE):
                self._made[language] = (localised, merge.ManageLinks(), merge.greeting_name())
        return self._made[language]


@contextlib.contextmanager
def short_gil_switches():
    """Building an ESP request is CPU-bound Python; with the interpreter's default 5 ms
    between thread switches, the thread that records a batch (or sends the next) would
    wait up to that long for the interpreter each time its answer arrives."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, GIL_SWITCH_SECONDS))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


class BatchesAhead:
    """The batches after the one at the ESP, claimed, merged and built ahead of it.

    Outside a transaction, on PostgreSQL, they are claimed in a thread of their own, with
    its own database connection, so the claims overlap the recording of the batch at the
    ESP. Inside one (a test), another connection could not see its rows, and SQLite takes
    one writer at a time: there they are claimed in the caller's thread, before the
    batch at the ESP is recorded. ``first`` is work to do besides (the ledger's next
    piece): threaded, in a thread of its own once the first batch ahead is claimed, so
    the claims after it do not wait for it; otherwise at once."""

    def __init__(self, claim_next, cursor: int, first=None):
        self.claim_next = claim_next
        self.cursor = cursor
        self.first = first
        self.first_thread: threading.Thread | None = None
        self.first_error: BaseException | None = None
        self.done = False
        self.ready: collections.deque[Batch] = collections.deque()
        # SQLite (the embedded default) takes one writer at a time: no second connection.
        self.threaded = not connection.in_atomic_block and connection.vendor == "postgresql"
        if not self.threaded and first is not None:
            first()
        if self.threaded:
            # One waiting in the queue, one in the claiming thread's hand.
            self.queue: queue.Queue = queue.Queue(maxsize=max(1, BATCHES_AHEAD - 1))
            self.stopped = threading.Event()
            self.thread = threading.Thread(target=self._claim_in_thread, daemon=True)
            self.thread.start()

    def fill(self) -> None:
        while not self.threaded and not self.done and len(self.ready) < BATCHES_AHEAD:
            self._claim()

    def take(self) -> "Batch | None":
        if not self.threaded:
            self.fill()
            return self.ready.popleft() if self.ready else None
        item = self.queue.get()
        if isinstance(item, BaseException):
            raise item
        return item

    def close(self, *, release: bool) -> None:
        if self.threaded and self.thread.is_alive():
            self.stopped.set()
            while self.thread.is_alive():
                self._drain_queue()
                self.thread.join(timeout=0.05)
        if self.first_thread is not None:
            self.first_thread.join()
        if self.threaded:
            self._drain_queue()
        while self.ready:
            _withdraw(self.ready.popleft(), release=release)

    def _drain_queue(self) -> None:
        while True:
            try:
                item = self.queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, Batch):
                self.ready.append(item)

    def _claim(self) -> "Batch | None":
        batch = self.claim_next(self.cursor)
        if batch is None:
            self.done = True
        else:
            self.cursor = batch.last_id + 1
            self.ready.append(batch)
        return batch

    def _claim_in_thread(self) -> None:
        try:
            first = self.first
            while not self.stopped.is_set():
                batch = self.claim_next(self.cursor)
                if batch is not None:
                    self.cursor = batch.last_id + 1
                self._put(batch)
                if first is not None:
                    # Once the caller has its next batch, and in a thread of its own, so
                    # neither the caller nor the claims after it wait for the piece.
                    self.first_thread = threading.Thread(
                        target=self._first_in_thread, args=(first,), daemon=True
                    )
                    self.first_thread.start()
                    first = None
                if batch is None:
                    return
        except BaseException as error:  # noqa: BLE001 (handed to the caller's thread)
            self._put(error)
        finally:
            connection.close()

    def _first_in_thread(self, first) -> None:
        try:
            first()
        except BaseException as error:  # noqa: BLE001 (raised in the caller's thread)
            self.first_error = error
        finally:
            connection.close()

    def raise_first_error(self) -> None:
        """Raise what went wrong in ``first`` (once everything has been closed): the
        task fails, and the resume task writes the piece again."""
        if self.first_error is not None:
            raise self.first_error

    def _put(self, item) -> None:
        while True:
            try:
                self.queue.put(item, timeout=0.05)
                return
            except queue.Full:
                if self.stopped.is_set():
                    if isinstance(item, Batch):
                        self.ready.append(item)  # withdrawn by close()
                    return


def next_batch(ahead: BatchesAhead) -> "Batch | None":
    """The next batch to send (the worker's time here is what claiming ahead did not
    hide)."""
    return ahead.take()


def call_prepare(calls, backend, languages: CampaignInLanguages, batch: "Batch | None"):
    """Start building a batch's ESP call, with its language's email, in a thread; it goes
    out when its gate opens."""
    if batch is None or not batch.recipients:
        return batch
    gate = SendGate()
    localised, _links, _nameless = languages(batch.language)
    call = calls.submit(
        backend.send_batch_when_open, campaign=localised, recipients=batch.recipients, gate=gate
    )
    return batch._replace(gate=gate, call=call)


def batch_from_claim(
    campaign: Campaign, claim: str | None, rows: list, languages: CampaignInLanguages
) -> Batch | None:
    """A claimed batch, its unmailable rows settled, the rest given their merge values
    in the batch's language."""
    if claim is None or not rows:
        return None
    language = rows[0].language
    _localised, links, nameless = languages(language)
    skipped = [r.delivery_id for r in rows if not r.mailable]
    if skipped:
        settled = Delivery.objects.filter(pk__in=skipped).update(
            status=Delivery.Status.SUPPRESSED, claim=None
        )
        if _count_settled(campaign, settled):
            finishing.campaign_finish_if_done(campaign_id=campaign.pk)
    recipients = [
        Recipient(
            delivery_id=r.delivery_id,
            email=r.email,
            merge_values=merge.merge_values(r, campaign.pk, links, nameless),
        )
        for r in rows
        if r.mailable
    ]
    return Batch(
        claim=claim, last_id=rows[-1].delivery_id, recipients=recipients, language=language
    )


def gate_release(batch: Batch | None) -> None:
    """Let a prepared batch go to the ESP, within the shared rate limit."""
    if batch is not None and batch.gate is not None:
        esp_throttle_acquire(len(batch.recipients))
        batch.gate.open()


def _withdraw(batch: Batch | None, *, release: bool) -> None:
    """A prepared batch that will not go out: stop its call and, with ``release``, put
    its rows back in the queue as they were, for this range's retry or another chunk
    to claim (otherwise they wait for their lease, as a dead worker's would)."""
    if batch is None:
        return
    if batch.gate is not None:
        batch.gate.withdraw()
        with contextlib.suppress(Exception):
            batch.call.result()
    if not release:
        return
    Delivery.objects.filter(status=Delivery.Status.SENDING, claim=batch.claim).update(
        status=Delivery.Status.QUEUED,
        claim=None,
        lease_expires_at=None,
        attempts=F("attempts") - 1,
    )


def _esp_result(batch: Batch):
    """Wait for a batch's ESP call (the worker's time here is what the overlap did not
    hide)."""
    return batch.call.result()


def batch_settle(campaign: Campaign, batch: Batch) -> int:
    """Wait for the batch's ESP call and record it. Returns how many were sent."""
    if not batch.recipients:
        return 0
    settled = 0
    try:
        result = _esp_result(batch)
    except CampaignBackendError as error:
        if error.transient:
            raise ChunkRetry(str(error), claim=batch.claim) from error
        settled += Delivery.objects.filter(
            campaign_id=campaign.pk, status=Delivery.Status.SENDING, claim=batch.claim
        ).update(status=Delivery.Status.FAILED, claim=None, error=str(error)[:300])
        logger.error("Campaign %s: chunk refused by the ESP: %s", campaign.pk, error)
    else:
        settled += _record_sent(campaign.pk, batch.claim, batch.recipients, result)
    if _count_settled(campaign, settled):
        finishing.campaign_finish_if_done(campaign_id=campaign.pk)
    return len(batch.recipients)


def _count_settled(campaign: Campaign, rows: int) -> bool:
    """Add a chunk's settled rows to the campaign's tally in the shared cache. True once
    the tally reaches the ledger's size: only then does the chunk ask the database
    whether the campaign is done. The tally never counts a row twice (only rows this
    chunk changed count), and beat's resume task asks the database for every sending
    campaign, so a tally short of the truth (a cache lost) delays the end a minute."""
    key = f"newsletters:settled:{campaign.pk}"
    try:
        tally = cache.incr(key, rows)
    except ValueError:
        # The first chunk, or the cache lost the tally: start it again from here.
        tally = rows
        if not cache.add(key, rows, timeout=7 * 24 * 3600):
            tally = cache.incr(key, rows)  # another chunk started it first
    return tally >= campaign.recipient_count


_REFUSED = "Refused by the ESP"
# Why a recipient was refused, as the ledger says it (anymail's recipient statuses).
_REFUSAL_ERRORS = {"invalid": "Not a valid email address"}


def _record_sent(campaign_id: int, claim: str, recipients, result) -> int:
    """Mark the chunk sent with its message ids in one statement (one more for each
    reason addresses were refused, together so a crash cannot leave half of it
    recorded).
    Returns the rows recorded: none when the lease ran out and the rows were queued
    again meanwhile."""
    now = timezone.now()
    refused = collections.defaultdict(list)
    for r in recipients:
        if r.email in result.refused:
            refused[_REFUSAL_ERRORS.get(result.refused[r.email], _REFUSED)].append(r.delivery_id)
    message_ids = {
        r.delivery_id: result.message_ids.get(r.email, "")
        for r in recipients
        if r.email not in result.refused
    }
    distinct = set(message_ids.values())
    esp_message_id = (
        Value(distinct.pop())
        if len(distinct) == 1
        else Case(
            *(When(pk=pk, then=Value(mid)) for pk, mid in message_ids.items()),
            default=Value(""),
        )
    )
    claimed = Delivery.objects.filter(
        campaign_id=campaign_id, status=Delivery.Status.SENDING, claim=claim
    )
    recorded = 0
    with transaction.atomic() if refused else contextlib.nullcontext():
        for error, ids in refused.items():
            recorded += claimed.filter(pk__in=ids).update(
                status=Delivery.Status.FAILED, claim=None, error=error
            )
        if message_ids:
            recorded += claimed.update(
                status=Delivery.Status.SENT, esp_message_id=esp_message_id, sent_at=now, claim=None
            )
    return recorded
