"""Every write in the newsletters app, one function per action.

Subscribers: sign-up with double opt-in, confirmation, preference changes, unsubscribe,
erasure, purge of unconfirmed sign-ups; every change of consent leaves a ``ConsentRecord``.
Campaigns: approval, test send, send now or at a set time, chunked sending through the
sender backend, resume of a dead worker's chunk, and tracking events from the ESP.
"""

import collections
import concurrent.futures
import contextlib
import datetime
import functools
import html
import logging
import queue
import sys
import threading
import time
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, Max, OuterRef, Value, When
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from signpost.links import absolute_url
from wagtail.log_actions import log

from engagement.models import Area

from . import tokens
from .consent import CURRENT_WORDING_VERSION
from .models import (
    Campaign,
    ConsentRecord,
    Delivery,
    Subscriber,
    Suppression,
    TrackingEvent,
    email_hash,
)

logger = logging.getLogger(__name__)


# --- Subscribers -------------------------------------------------------------------------


def _consent(subscriber, *, action, method, changes=None, wording_version=""):
    return ConsentRecord.objects.create(
        subscriber=subscriber,
        action=action,
        method=method,
        wording_version=wording_version,
        changes=changes or {},
    )


def _describe(subscriber) -> dict:
    return {
        "name": subscriber.name,
        "postcode": subscriber.postcode,
        "area": subscriber.area.name if subscriber.area_id else "",
        "topics": sorted(t.name for t in subscriber.topics.all()),
    }


def _diff(before: dict, after: dict) -> dict:
    return {key: [before[key], after[key]] for key in after if before.get(key) != after[key]}


def subscriber_send_confirmation(*, subscriber: Subscriber) -> None:
    """The double opt-in email: a signed link that expires."""
    context = {
        "subscriber": subscriber,
        "confirm_url": absolute_url(
            reverse("newsletters:confirm", args=[tokens.confirm_token(subscriber)])
        ),
        "max_age_days": settings.SIGNPOST_CONFIRM_LINK_MAX_AGE_DAYS,
    }
    _send_transactional(subscriber, "confirm_subscription", "Confirm your email updates", context)


def _send_already_subscribed(subscriber: Subscriber) -> None:
    context = {
        "subscriber": subscriber,
        "preferences_url": absolute_url(
            reverse("newsletters:preferences", args=[tokens.manage_token(subscriber)])
        ),
    }
    _send_transactional(
        subscriber, "already_subscribed", "You already get our email updates", context
    )


def _send_transactional(subscriber, template: str, subject: str, context: dict) -> None:
    from signpost.models import InitiativeSettings
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first()
    context["initiative"] = InitiativeSettings.for_site(site) if site else InitiativeSettings()
    message = EmailMultiAlternatives(
        subject=f"{subject} | {context['initiative'].name}",
        body=render_to_string(f"email/{template}.txt", context),
        to=[subscriber.email],
    )
    message.attach_alternative(render_to_string(f"email/{template}.html", context), "text/html")
    message.send()


def _awaiting_confirmation(subscriber: Subscriber) -> bool:
    """Pending, and its confirmation link has not expired yet."""
    max_age = datetime.timedelta(days=settings.SIGNPOST_CONFIRM_LINK_MAX_AGE_DAYS)
    return (
        subscriber.status == Subscriber.Status.PENDING
        and subscriber.created_at >= timezone.now() - max_age
    )


@transaction.atomic
def subscriber_sign_up(
    *,
    email: str,
    name: str = "",
    postcode: str = "",
    topics=(),
    area: Area | None = None,
    wording_version: str = CURRENT_WORDING_VERSION,
) -> None:
    """Start a subscription, or restart one. Answers nothing about whether the address was
    known: the caller shows the same page either way, and only the address's owner learns
    more, by email. The area the resident chose wins; without one, the postcode's."""
    email = email.strip().lower()
    if area is None and postcode:
        area = Area.objects.for_postcode(postcode)
    topics = list(topics)
    subscriber = Subscriber.objects.select_for_update().filter(email=email).first()
    if subscriber and subscriber.status == Subscriber.Status.CONFIRMED:
        transaction.on_commit(lambda: _send_already_subscribed(subscriber))
        return
    if subscriber and _awaiting_confirmation(subscriber):
        # Anyone can type an address: a second sign-up does not rewrite the first. The
        # owner gets the first one's link again, and confirming it (or not) decides.
        transaction.on_commit(lambda: subscriber_send_confirmation(subscriber=subscriber))
        return
    complained = Suppression.objects.filter(
        email_hash=email_hash(email), reason=Suppression.Reason.COMPLAINT
    ).exists()
    if subscriber is None:
        subscriber = Subscriber(email=email)
        before = {"name": "", "postcode": "", "area": "", "topics": []}
    else:
        before = _describe(subscriber)
    subscriber.name = name
    subscriber.postcode = postcode
    subscriber.area = area
    subscriber.status = Subscriber.Status.PENDING
    subscriber.created_at = timezone.now()
    subscriber.save()
    subscriber.topics.set(topics)
    _consent(
        subscriber,
        action=ConsentRecord.Action.SIGNED_UP,
        method=ConsentRecord.Method.WEB_FORM,
        wording_version=wording_version,
        changes=_diff(before, _describe(subscriber)),
    )
    if not complained:
        transaction.on_commit(lambda: subscriber_send_confirmation(subscriber=subscriber))


@transaction.atomic
def subscriber_confirm(*, token: str) -> Subscriber:
    """Finish the double opt-in. Confirming twice is harmless."""
    key = tokens.confirm_token_key(token)
    subscriber = Subscriber.objects.select_for_update().filter(key=key).first()
    if subscriber is None:
        raise tokens.LinkInvalid("This sign-up no longer exists. Please sign up again.")
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return subscriber
    signed_up = subscriber.consent_records.filter(action=ConsentRecord.Action.SIGNED_UP).last()
    subscriber.status = Subscriber.Status.CONFIRMED
    subscriber.confirmed_at = timezone.now()
    subscriber.unsubscribed_at = None
    subscriber.save()
    # Fresh, confirmed consent outweighs an old unsubscribe or a bounce: the link was
    # opened, so the mailbox works and its owner wants the updates.
    Suppression.objects.filter(
        email_hash=subscriber.email_hash,
        reason__in=[Suppression.Reason.UNSUBSCRIBED, Suppression.Reason.HARD_BOUNCE],
    ).delete()
    _consent(
        subscriber,
        action=ConsentRecord.Action.CONFIRMED,
        method=ConsentRecord.Method.EMAIL_LINK,
        wording_version=signed_up.wording_version if signed_up else CURRENT_WORDING_VERSION,
    )
    return subscriber


@transaction.atomic
def subscriber_update_preferences(
    *,
    subscriber: Subscriber,
    name: str,
    postcode: str,
    topics,
    method=ConsentRecord.Method.PREFERENCE_PAGE,
) -> Subscriber:
    before = _describe(subscriber)
    subscriber.name = name
    if postcode != subscriber.postcode:
        # Only a new postcode moves the subscriber: an area chosen from a leaflet's or
        # sign's QR code at sign-up stays while they change other preferences.
        subscriber.postcode = postcode
        subscriber.area = Area.objects.for_postcode(postcode) if postcode else None
    subscriber.save()
    subscriber.topics.set(list(topics))
    changes = _diff(before, _describe(subscriber))
    if changes:
        _consent(
            subscriber,
            action=ConsentRecord.Action.PREFERENCES_CHANGED,
            method=method,
            wording_version=CURRENT_WORDING_VERSION,
            changes=changes,
        )
    return subscriber


@transaction.atomic
def subscriber_unsubscribe(
    *, subscriber: Subscriber, method: str, campaign_id: int | None = None
) -> bool:
    """Leave. Returns False when already unsubscribed (a second click changes nothing)."""
    subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
    Suppression.objects.get_or_create(
        email_hash=subscriber.email_hash, defaults={"reason": Suppression.Reason.UNSUBSCRIBED}
    )
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return False
    now = timezone.now()
    previous = subscriber.status
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = now
    subscriber.save(update_fields=["status", "unsubscribed_at"])
    changes = {"status": [previous, subscriber.status]}
    if campaign_id:
        changes["campaign"] = campaign_id
        Delivery.objects.filter(
            campaign_id=campaign_id, subscriber=subscriber, unsubscribed_at__isnull=True
        ).update(unsubscribed_at=now)
    _consent(subscriber, action=ConsentRecord.Action.UNSUBSCRIBED, method=method, changes=changes)
    return True


def subscribers_purge_unconfirmed(*, older_than_days: int | None = None) -> int:
    """Remove sign-ups never confirmed: without confirmation there is no consent to hold
    the address on."""
    days = older_than_days or settings.SIGNPOST_UNCONFIRMED_PURGE_DAYS
    cutoff = timezone.now() - datetime.timedelta(days=days)
    stale = Subscriber.objects.filter(status=Subscriber.Status.PENDING, created_at__lt=cutoff)
    count = stale.count()
    stale.delete()
    return count


@transaction.atomic
def subscriber_erase(*, subscriber: Subscriber, user) -> None:
    """Erase everything held on one subscriber (UK GDPR Article 17). Campaign figures keep
    their counts (deliveries lose the link to the person); a suppression keeps only a hash
    of the address, so an erased complainer is still never mailed."""
    log(
        instance=subscriber,
        action="newsletters.subscriber.erase",
        user=user,
        title=f"Subscriber #{subscriber.pk}",
        deleted=True,
    )
    subscriber.delete()


def subscriber_log_export(*, subscriber: Subscriber, user) -> None:
    log(
        instance=subscriber,
        action="newsletters.subscriber.export",
        user=user,
        title=f"Subscriber #{subscriber.pk}",
    )


# --- Campaigns ---------------------------------------------------------------------------

MAX_SEND_ATTEMPTS = 5


class CampaignError(ValidationError):
    """A campaign action that cannot happen now; the message says why, for the user."""


def _locked(campaign: Campaign) -> Campaign:
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


APPROVAL_CLEARED = {
    "status": Campaign.Status.DRAFT,
    "approved_by": None,
    "approved_at": None,
    "approved_revision": None,
    "approved_subject": "",
    "approved_segment": {},
}


def campaign_edited(*, campaign: Campaign, user) -> None:
    """Any change after sign-off needs a fresh sign-off."""
    if campaign.status == Campaign.Status.APPROVED:
        Campaign.objects.filter(pk=campaign.pk).update(**APPROVAL_CLEARED)
        campaign.refresh_from_db()
        log(instance=campaign, action="newsletters.campaign.approval_withdrawn", user=user)


@transaction.atomic
def campaign_approval_withdraw(*, campaign: Campaign, user) -> Campaign:
    """Take back a sign-off, e.g. to send a newer version of the newsletter: the campaign
    is a draft again and needs a fresh approval."""
    campaign = _locked(campaign)
    if campaign.status not in {Campaign.Status.APPROVED, Campaign.Status.SCHEDULED}:
        raise CampaignError("This campaign is not approved.")
    Campaign.objects.filter(pk=campaign.pk).update(scheduled_for=None, **APPROVAL_CLEARED)
    campaign.refresh_from_db()
    log(instance=campaign, action="newsletters.campaign.approval_withdrawn", user=user)
    return campaign


def campaign_send_refusal_log(*, campaign: Campaign, user, reason: str) -> None:
    """Put a refused attempt to send in the audit log, with who tried and why."""
    log(
        instance=campaign,
        action="newsletters.campaign.send_refused",
        user=user if user is not None and user.is_authenticated else None,
        data={"reason": reason},
    )


@transaction.atomic
def campaign_approve(*, campaign: Campaign, user) -> Campaign:
    """Sign-off by an Approver who did not write the campaign (guide, section 3)."""
    from .selectors import campaign_segment

    campaign = _locked(campaign)
    if not user.has_perm("newsletters.approve_campaign"):
        raise PermissionDenied("Only an Approver can sign off a campaign.")
    if campaign.created_by_id == user.pk:
        raise CampaignError("You wrote this campaign, so someone else must approve it.")
    if campaign.status != Campaign.Status.DRAFT:
        raise CampaignError(
            f"This campaign is {campaign.get_status_display().lower()}, not a draft."
        )
    if not campaign.newsletter.live:
        raise CampaignError("Publish the newsletter before approving a campaign that sends it.")
    if not campaign_segment(campaign).exists():
        raise CampaignError("Nobody is in this campaign's segment: choose other areas or topics.")
    revision = campaign.newsletter.live_revision
    if revision is None:
        raise CampaignError("Publish the newsletter before approving a campaign that sends it.")
    campaign.status = Campaign.Status.APPROVED
    campaign.approved_by = user
    campaign.approved_at = timezone.now()
    campaign.approved_revision = revision
    campaign.approved_subject = campaign.subject
    campaign.approved_segment = campaign.segment_definition()
    campaign.save(
        update_fields=[
            "status",
            "approved_by",
            "approved_at",
            "approved_revision",
            "approved_subject",
            "approved_segment",
        ]
    )
    log(
        instance=campaign,
        action="newsletters.campaign.approve",
        user=user,
        data={
            "newsletter_revision": revision.pk,
            "subject": campaign.subject,
            "segment": campaign.approved_segment,
        },
    )
    return campaign


def _render(campaign: Campaign):
    """The email for a campaign: once approved, the newsletter version the approver
    signed off, never a later one; before approval, the page as it stands."""
    from .email import render_newsletter_email

    if campaign.approved_revision_id:
        newsletter = campaign.approved_revision.as_object()
    elif campaign.newsletter.live:
        newsletter = campaign.newsletter.specific
    else:
        newsletter = campaign.newsletter.get_latest_revision_as_object()
    return render_newsletter_email(newsletter, subject=campaign.subject)


def _check_as_approved(campaign: Campaign) -> None:
    """Refuse to send anything but what was signed off."""
    if campaign.approved_revision_id is None:
        raise CampaignError("This campaign has no record of what was approved: approve it again.")
    if (
        campaign.subject != campaign.approved_subject
        or campaign.segment_definition() != campaign.approved_segment
    ):
        raise CampaignError(
            "The subject or recipients changed after approval, so nothing was sent. "
            "Ask an Approver to sign it off again."
        )


def campaign_send_test(*, campaign: Campaign, user, addresses: list[str]) -> int:
    """Send the campaign as it will go out, to staff addresses, with sample merge values."""
    from .email import sample_merge_values

    rendered = _render(campaign)
    values = sample_merge_values()
    if user and user.first_name:
        values["name"] = user.first_name
    for address in addresses:
        message = EmailMultiAlternatives(
            subject=f"[Test] {rendered.subject}",
            body=rendered.text_for(values),
            to=[address],
            headers={
                "List-Unsubscribe": f"<{values['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(rendered.html_for(values), "text/html")
        message.send()
    Campaign.objects.filter(pk=campaign.pk).update(test_sent_at=timezone.now())
    log(
        instance=campaign,
        action="newsletters.campaign.test_send",
        user=user,
        data={"recipients": len(addresses)},
    )
    return len(addresses)


@transaction.atomic
def campaign_schedule(*, campaign: Campaign, user, when: datetime.datetime) -> Campaign:
    campaign = _locked(campaign)
    if campaign.status not in {Campaign.Status.APPROVED, Campaign.Status.SCHEDULED}:
        raise CampaignError("Only an approved campaign can be scheduled.")
    if when <= timezone.now():
        raise CampaignError("Choose a time in the future, or send now.")
    campaign.status = Campaign.Status.SCHEDULED
    campaign.scheduled_for = when
    campaign.save(update_fields=["status", "scheduled_for"])
    log(
        instance=campaign,
        action="newsletters.campaign.schedule",
        user=user,
        data={"scheduled_for": when.isoformat()},
    )
    return campaign


@transaction.atomic
def campaign_unschedule(*, campaign: Campaign, user) -> Campaign:
    campaign = _locked(campaign)
    if campaign.status != Campaign.Status.SCHEDULED:
        raise CampaignError("This campaign is not scheduled.")
    campaign.status = Campaign.Status.APPROVED
    campaign.scheduled_for = None
    campaign.save(update_fields=["status", "scheduled_for"])
    log(instance=campaign, action="newsletters.campaign.unschedule", user=user)
    return campaign


@transaction.atomic
def campaign_send_now(*, campaign: Campaign, user) -> Campaign:
    """Freeze the email, mark the campaign sending and hand the ledger to a worker: the
    send button returns at once, however long the list. Calling it again for a campaign
    already sending does nothing."""
    from .selectors import campaign_segment

    campaign = _locked(campaign)
    if campaign.status in {Campaign.Status.SENDING, Campaign.Status.SENT}:
        return campaign
    if campaign.status not in {Campaign.Status.APPROVED, Campaign.Status.SCHEDULED}:
        raise CampaignError("A campaign must be approved before it is sent.")
    _check_as_approved(campaign)
    segment_size = campaign_segment(campaign).count()
    if not segment_size:
        raise CampaignError("Nobody is in this campaign's segment now, so nothing was sent.")
    rendered = _render(campaign)
    campaign.rendered_subject = rendered.subject
    campaign.rendered_html = rendered.html
    campaign.rendered_text = rendered.text
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
    from .tasks import campaign_write_deliveries

    campaign_write_deliveries.delay(campaign_id)


def campaign_write_deliveries(*, campaign_id: int) -> int:
    """Write the ledger's first piece and queue its chunk task, which writes the next
    piece while its first batch is at the ESP, and so on: sending starts after one
    piece, not after the whole list, and one worker overlaps the ledger with sending.
    The first piece is short (nothing is sent while it is written). Running this twice
    writes nothing twice. Returns the rows written."""
    from .campaign_backends import batch_size

    return _write_ledger_piece(campaign_id, first_size=batch_size() * (BATCHES_AHEAD + 1))


def _ledger_piece_size() -> int:
    """A piece of the ledger is one chunk task's range."""
    from .campaign_backends import batch_size

    return batch_size() * max(1, settings.SIGNPOST_ESP_BATCHES_PER_TASK)


def _write_ledger_piece(campaign_id: int, first_size: int | None = None) -> int:
    """Write the next piece of the ledger, one Delivery row for each of the segment's
    next subscribers by id, in one ``INSERT … SELECT`` from the segment query (the ids
    never pass through Python), and queue the chunk task that sends it (and writes the
    piece after it). Each piece holds the segment as it is when it is written. Writers
    of one campaign's ledger take turns on its row and start after the highest
    subscriber already in it, so a second writer (a redelivered task, the resume task)
    writes nothing twice. ``first_size`` caps the first piece. Returns the rows
    written."""
    from .selectors import campaign_segment

    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
        if (
            campaign is None
            or campaign.status != Campaign.Status.SENDING
            or campaign.ledger_written_at is not None
        ):
            return 0
        ledger = Delivery.objects.filter(campaign_id=campaign_id)
        after = ledger.aggregate(last=Max("subscriber_id"))["last"] or 0
        size = _ledger_piece_size()
        if first_size and not after:
            size = min(size, first_size)
        piece = (
            campaign_segment(campaign)
            .filter(pk__gt=after)
            .order_by("pk")
            .values(recipient=F("pk"))[:size]
        )
        select_sql, params = piece.query.sql_with_params()
        with connection.cursor() as cursor:
            # Table names from the models; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {Delivery._meta.db_table} "  # noqa: S608
                "(campaign_id, subscriber_id, status, attempts, esp_message_id, error) "
                f"SELECT %s, segment.recipient, %s, 0, '', '' FROM ({select_sql}) AS segment "
                # WHERE true: SQLite's grammar needs it before ON CONFLICT.
                "WHERE true ON CONFLICT DO NOTHING RETURNING id",
                [campaign_id, Delivery.Status.QUEUED, *params],
            )
            rows = cursor.fetchall()
            if rows and not after and connection.vendor == "postgresql":
                # Tell the planner about the new rows before the first chunk, queued at
                # the commit, queries them (on another worker, at once).
                cursor.execute(f"ANALYZE {Delivery._meta.db_table}")
        # Writers take turns and start after the highest subscriber written, so nothing
        # conflicts: a piece short of the size is the segment's end.
        complete = len(rows) < size
        if complete:
            campaign.ledger_written_at = timezone.now()
            campaign.recipient_count = ledger.count()
            campaign.save(update_fields=["ledger_written_at", "recipient_count"])
            if not campaign.recipient_count:
                # Everyone left between the click and now: nothing to send.
                _campaign_mark_sent(campaign)
                return 0
        if rows:
            ids = [delivery for (delivery,) in rows]
            first_id, last_id, more = min(ids), max(ids), not complete
            transaction.on_commit(
                lambda: _queue_chunk(campaign_id, first_id, last_id, continue_ledger=more)
            )
    return len(rows)


def _queue_chunk(campaign_id: int, first_id: int, last_id: int, *, continue_ledger: bool):
    from .tasks import campaign_send_chunk

    campaign_send_chunk.delay(
        campaign_id, first_id=first_id, last_id=last_id, continue_ledger=continue_ledger
    )


def campaign_enqueue_chunks(*, campaign_id: int) -> int:
    """Queue one chunk task per few batches of queued rows (``SIGNPOST_ESP_BATCHES_PER_TASK``),
    each given its rows' id range, so a claim reads a short index range however far the
    send has got, and a task's batches overlap one another's ESP calls. A task finding
    its range already sent stops, so queueing too many is harmless."""
    from .campaign_backends import batch_size
    from .tasks import campaign_send_chunk

    per_task = max(1, settings.SIGNPOST_ESP_BATCHES_PER_TASK)
    ranges = _chunk_ranges(campaign_id, batch_size() * per_task)
    for first_id, last_id in ranges:
        campaign_send_chunk.delay(campaign_id, first_id=first_id, last_id=last_id)
    if not ranges:
        campaign_finish_if_done(campaign_id=campaign_id)
    return len(ranges)


def _chunk_ranges(campaign_id: int, size: int) -> list[tuple[int, int]]:
    """The first and last id of each batch of a campaign's queued rows, in one query."""
    with connection.cursor() as cursor:
        # Table name from the model; every value is a parameter.
        cursor.execute(
            "SELECT min(id), max(id) FROM (SELECT id, (row_number() OVER (ORDER BY id) - 1) "  # noqa: S608
            f"/ %s AS chunk FROM {Delivery._meta.db_table} "
            "WHERE campaign_id = %s AND status = %s) AS numbered GROUP BY chunk ORDER BY 1",
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


class ClaimedRow(NamedTuple):
    """One claimed Delivery with the little of its subscriber a chunk needs."""

    delivery_id: int
    key: uuid.UUID | None
    email: str | None
    name: str | None
    status: str | None
    suppressed: bool

    @property
    def mailable(self) -> bool:
        return (
            self.email is not None
            and self.status == Subscriber.Status.CONFIRMED
            and not self.suppressed
        )


# PostgreSQL claims a chunk and reads what it needs to send it in one statement: the rows
# are picked and locked (skipping rows another worker holds), marked under the claim, and
# returned with their subscriber's address, name, key, status and suppression. The ids
# are picked first (ANY(ARRAY(...)) is evaluated once), so every step is an index lookup
# whatever the planner's statistics say about a ledger written a moment ago.
_CLAIM_SQL = """
WITH claimed AS (
    UPDATE {delivery} AS d SET {assignments}
    WHERE d.id = ANY(ARRAY({picked}))
    RETURNING d.id, d.subscriber_id
)
SELECT claimed.id, s.key, s.email, s.name, s.status, x.id IS NOT NULL
FROM claimed
LEFT JOIN {subscriber} AS s ON s.id = claimed.subscriber_id
LEFT JOIN {suppression} AS x ON x.email_hash = s.email_hash
"""
_PICK_QUEUED = (
    "SELECT id FROM {delivery} WHERE campaign_id = %(campaign)s AND status = %(status)s "
    "AND id BETWEEN %(first)s AND %(last)s ORDER BY id LIMIT %(size)s FOR UPDATE SKIP LOCKED"
)
_PICK_CLAIMED = (
    "SELECT id FROM {delivery} WHERE campaign_id = %(campaign)s "
    "AND status = %(status)s AND claim = %(claim)s FOR UPDATE"
)


def _claim_sql(picked: str, assignments: str) -> str:
    tables = {
        "delivery": Delivery._meta.db_table,
        "subscriber": Subscriber._meta.db_table,
        "suppression": Suppression._meta.db_table,
    }
    return _CLAIM_SQL.format(picked=picked.format(**tables), assignments=assignments, **tables)


def _claimed_rows(campaign_id: int, claim: str) -> list[ClaimedRow]:
    """The claimed rows and their subscribers, in one query (the portable way)."""
    suppressed = Exists(Suppression.objects.filter(email_hash=OuterRef("subscriber__email_hash")))
    rows = (
        Delivery.objects.filter(
            campaign_id=campaign_id, status=Delivery.Status.SENDING, claim=claim
        )
        .annotate(suppressed=suppressed)
        .order_by("pk")
        .values_list(
            "pk",
            "subscriber__key",
            "subscriber__email",
            "subscriber__name",
            "subscriber__status",
            "suppressed",
        )
    )
    return [ClaimedRow(*row) for row in rows]


# Ids are positive, so these bounds mean "any row".
_ANY_ID = (0, 2**63 - 1)


def _claim_chunk(
    campaign_id: int, size: int, id_range: tuple[int, int] = _ANY_ID
) -> tuple[str | None, list[ClaimedRow]]:
    """Claim up to ``size`` queued rows (within ``id_range``) for this worker, under a new
    claim and lease."""
    claim = str(uuid.uuid4())
    lease_expires_at = timezone.now() + datetime.timedelta(
        seconds=settings.SIGNPOST_SEND_LEASE_SECONDS
    )
    if connection.vendor == "postgresql":
        sql = _claim_sql(
            _PICK_QUEUED,
            "status = %(sending)s, claim = %(claim)s, lease_expires_at = %(lease)s, "
            "attempts = d.attempts + 1",
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "campaign": campaign_id,
                    "status": Delivery.Status.QUEUED,
                    "sending": Delivery.Status.SENDING,
                    "size": size,
                    "first": id_range[0],
                    "last": id_range[1],
                    "claim": claim,
                    "lease": lease_expires_at,
                },
            )
            rows = sorted(ClaimedRow(*row) for row in cursor.fetchall())
        return (claim, rows) if rows else (None, [])
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(campaign_id=campaign_id, status=Delivery.Status.QUEUED, pk__range=id_range)
            .order_by("pk")
            .values_list("pk", flat=True)[:size]
        )
        if not ids:
            return None, []
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.QUEUED).update(
            status=Delivery.Status.SENDING,
            claim=claim,
            lease_expires_at=lease_expires_at,
            attempts=F("attempts") + 1,
        )
        return claim, _claimed_rows(campaign_id, claim)


def _renew_claim(campaign_id: int, claim: str) -> list[ClaimedRow]:
    """A retry keeps its rows: extend their lease and read them again. Empty when the
    lease ran out and the rows went back to the queue (someone else has them now)."""
    lease_expires_at = timezone.now() + datetime.timedelta(
        seconds=settings.SIGNPOST_SEND_LEASE_SECONDS
    )
    if connection.vendor == "postgresql":
        sql = _claim_sql(_PICK_CLAIMED, "lease_expires_at = %(lease)s")
        with connection.cursor() as cursor:
            cursor.execute(
                sql,
                {
                    "campaign": campaign_id,
                    "status": Delivery.Status.SENDING,
                    "claim": claim,
                    "lease": lease_expires_at,
                },
            )
            return sorted(ClaimedRow(*row) for row in cursor.fetchall())
    renewed = Delivery.objects.filter(
        campaign_id=campaign_id, status=Delivery.Status.SENDING, claim=claim
    ).update(lease_expires_at=lease_expires_at)
    return _claimed_rows(campaign_id, claim) if renewed else []


# Batches a chunk claims and builds ahead of the one at the ESP: enough that the next
# request is built by the time the one before it is recorded.
BATCHES_AHEAD = 2
GIL_SWITCH_SECONDS = 0.0005


class _Batch(NamedTuple):
    """One claimed batch on its way: its mailable recipients, the gate that lets it go
    to the ESP, and the call building (or sending) it in a thread."""

    claim: str
    last_id: int
    recipients: list
    gate: object | None = None
    call: concurrent.futures.Future | None = None


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
    claimed and given their merge values (``_BatchesAhead``) and their requests built in
    threads; each goes out only once the one before it is recorded, so at most one
    batch can have reached the ESP unrecorded when a worker dies. Raises ``ChunkRetry`` on a transient ESP error,
    keeping the claim so a retry sends exactly the same rows (then the rest of the
    range). The queries are the same for a batch of ten and of a thousand."""
    from .campaign_backends import batch_size, get_backend

    campaign = (
        Campaign.objects.only(
            "status", "recipient_count", "rendered_subject", "rendered_html", "rendered_text"
        )
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None or campaign.status != Campaign.Status.SENDING:
        return 0
    size = batch_size()
    one_batch = first_id is None and last_id is None
    end = last_id or _ANY_ID[1]
    links = ManageLinks()
    sent = 0
    # A batch waiting at its gate holds a thread: one sending, the rest built ahead.
    with (
        concurrent.futures.ThreadPoolExecutor(max_workers=BATCHES_AHEAD + 1) as calls,
        _short_gil_switches(),
    ):
        send = functools.partial(_prepare_call, calls, get_backend(), campaign)
        if claim is not None:
            current = send(_batch(campaign, claim, _renew_claim(campaign_id, claim), links))
            if current is None:
                return 0
        else:
            first = (first_id or _ANY_ID[0], end)
            current = send(_batch(campaign, *_claim_chunk(campaign_id, size, first), links))
            if current is None:
                campaign_finish_if_done(campaign_id=campaign_id)
                return 0
        _release_gate(current)
        if one_batch:
            sent += _settle_batch(campaign, current)
            return sent

        def claim_next(cursor: int) -> _Batch | None:
            return send(_batch(campaign, *_claim_chunk(campaign_id, size, (cursor, end)), links))

        write_ledger = functools.partial(_write_ledger_piece, campaign_id)
        ahead = _BatchesAhead(
            claim_next, current.last_id + 1, first=write_ledger if continue_ledger else None
        )
        try:
            while current is not None:
                ahead.fill()
                try:
                    sent += _settle_batch(campaign, current)
                except ChunkRetry as retry:
                    ahead.close(release=True)
                    retry.first_id, retry.last_id = current.last_id + 1, end
                    raise
                current = _next_batch(ahead)
                _release_gate(current)
        finally:
            # Whatever went wrong, no prepared call may go out or be left waiting.
            ahead.close(release=False)
    ahead.raise_first_error()
    return sent


@contextlib.contextmanager
def _short_gil_switches():
    """Building an ESP request is CPU-bound Python; with the interpreter's default 5 ms
    between thread switches, the thread that records a batch (or sends the next) would
    wait up to that long for the interpreter each time its answer arrives."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(min(interval, GIL_SWITCH_SECONDS))
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


class _BatchesAhead:
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
        self.ready: collections.deque[_Batch] = collections.deque()
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

    def take(self) -> "_Batch | None":
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
            if isinstance(item, _Batch):
                self.ready.append(item)

    def _claim(self) -> "_Batch | None":
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
                    if isinstance(item, _Batch):
                        self.ready.append(item)  # withdrawn by close()
                    return


def _next_batch(ahead: _BatchesAhead) -> "_Batch | None":
    """The next batch to send (the worker's time here is what claiming ahead did not
    hide)."""
    return ahead.take()


def _prepare_call(calls, backend, campaign: Campaign, batch: "_Batch | None"):
    """Start building a batch's ESP call in a thread; it goes out when its gate opens."""
    from .campaign_backends import SendGate

    if batch is None or not batch.recipients:
        return batch
    gate = SendGate()
    call = calls.submit(
        backend.send_batch_when_open, campaign=campaign, recipients=batch.recipients, gate=gate
    )
    return batch._replace(gate=gate, call=call)


def _batch(campaign: Campaign, claim: str | None, rows: list, links) -> _Batch | None:
    """A claimed batch, its unmailable rows settled, the rest given their merge values."""
    from .campaign_backends import Recipient

    if claim is None or not rows:
        return None
    skipped = [r.delivery_id for r in rows if not r.mailable]
    if skipped:
        settled = Delivery.objects.filter(pk__in=skipped).update(
            status=Delivery.Status.SUPPRESSED, claim=None
        )
        if _count_settled(campaign, settled):
            campaign_finish_if_done(campaign_id=campaign.pk)
    recipients = [
        Recipient(
            delivery_id=r.delivery_id,
            email=r.email,
            merge_values=_merge_values(r, campaign.pk, links),
        )
        for r in rows
        if r.mailable
    ]
    return _Batch(claim=claim, last_id=rows[-1].delivery_id, recipients=recipients)


def _release_gate(batch: _Batch | None) -> None:
    """Let a prepared batch go to the ESP, within the shared rate limit."""
    if batch is not None and batch.gate is not None:
        esp_throttle_acquire(len(batch.recipients))
        batch.gate.open()


def _withdraw(batch: _Batch | None, *, release: bool) -> None:
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


def _esp_result(batch: _Batch):
    """Wait for a batch's ESP call (the worker's time here is what the overlap did not
    hide)."""
    return batch.call.result()


def _settle_batch(campaign: Campaign, batch: _Batch) -> int:
    """Wait for the batch's ESP call and record it. Returns how many were sent."""
    from .campaign_backends import CampaignBackendError

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
        campaign_finish_if_done(campaign_id=campaign.pk)
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


class ManageLinks:
    """A subscriber's unsubscribe and preference addresses, from templates resolved once
    and one token signer per chunk: a chunk of a thousand recipients then costs two URL
    reversals and one key derivation, not two thousand of each."""

    _SLOT = "manage-token-slot"

    def __init__(self):
        self.unsubscribe = absolute_url(reverse("newsletters:unsubscribe", args=[self._SLOT]))
        self.preferences = absolute_url(reverse("newsletters:preferences", args=[self._SLOT]))
        self.signer = tokens.ManageTokenSigner()

    def manage_token(self, subscriber, campaign_id: int) -> str:
        return self.signer.token(subscriber.key.hex, campaign_id)

    def for_token(self, token: str) -> tuple[str, str]:
        # Signed tokens are URL-safe base64 and colons, which reverse() leaves as they are.
        return (
            self.unsubscribe.replace(self._SLOT, token),
            self.preferences.replace(self._SLOT, token),
        )


def _merge_values(subscriber, campaign_id: int, links: ManageLinks | None = None) -> dict:
    """A recipient's merge values. ``subscriber`` is a Subscriber or a ``ClaimedRow``."""
    links = links or ManageLinks()
    token = links.manage_token(subscriber, campaign_id)
    unsubscribe_url, preferences_url = links.for_token(token)
    name = subscriber.name or "neighbour"
    return {
        "name": name,
        # The ESP substitutes values as they are: the HTML part gets its own escaped copy.
        "name_html": html.escape(name),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url,
    }


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
            campaign_finish_if_done(campaign_id=campaign_id)
    return count


def campaign_finish_if_done(*, campaign_id: int) -> bool:
    """Mark the campaign sent once its ledger is written and no row is queued or in
    flight, and record the delivery in the activity calendar."""
    unfinished = Delivery.objects.filter(
        campaign_id=campaign_id, status__in=[Delivery.Status.QUEUED, Delivery.Status.SENDING]
    )
    # Chunks ask only once the tally says every row is settled, so this asks once, under
    # the campaign's lock: the question walks every superseded version of the ledger's
    # rows in the index until vacuum removes them, a tenth of a second at 20,000.
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status != Campaign.Status.SENDING:
            return False
        if unfinished.exists() or campaign.ledger_written_at is None:
            # Rows left, or the ledger not all written yet.
            return False
        _campaign_mark_sent(campaign)
    return True


def _campaign_mark_sent(campaign: Campaign) -> None:
    from engagement.activities.services import activity_record_delivered
    from engagement.models import Activity

    campaign.status = Campaign.Status.SENT
    campaign.send_finished_at = timezone.now()
    campaign.save(update_fields=["status", "send_finished_at"])
    sent = campaign.deliveries.filter(status=Delivery.Status.SENT).count()
    log(
        instance=campaign,
        action="newsletters.campaign.sent",
        user=None,
        data={"recipients": campaign.recipient_count, "sent": sent},
    )
    areas = list(campaign.areas.all())
    activity_record_delivered(
        source=campaign,
        mode=Activity.Mode.EMAIL_NEWSLETTER,
        title=f"Email newsletter: {campaign.newsletter.title}",
        delivered_on=timezone.localdate(campaign.send_finished_at),
        area=areas[0] if len(areas) == 1 else None,
        owner=campaign.created_by,
        audience=f"{sent} email subscribers",
    )


# --- Tracking events from the ESP ---------------------------------------------------------


def _event_id(event) -> str:
    import hashlib

    if event.event_id:
        return str(event.event_id)[:200]
    fingerprint = f"{event.event_type}|{event.message_id}|{event.recipient}|{event.timestamp}"
    return "sha256:" + hashlib.sha256(fingerprint.encode()).hexdigest()


def tracking_event_receive(*, event) -> TrackingEvent | None:
    """Keep the event once, by its id, and hand the work to Celery so the webhook answers
    fast. A replayed event is recognised here and changes nothing."""
    event_id = _event_id(event)
    payload = {
        "event_type": event.event_type,
        "recipient": (event.recipient or "").lower(),
        "message_id": event.message_id or "",
        "timestamp": event.timestamp.isoformat() if event.timestamp else None,
        "delivery": (event.metadata or {}).get("delivery"),
        "reject_reason": event.reject_reason or "",
        "description": (event.description or "")[:200],
    }
    try:
        with transaction.atomic():
            record = TrackingEvent.objects.create(
                event_id=event_id, event_type=event.event_type, payload=payload
            )
    except IntegrityError:
        return None
    from .tasks import tracking_event_process

    transaction.on_commit(lambda: tracking_event_process.delay(record.pk))
    return record


def _find_delivery(payload: dict) -> Delivery | None:
    deliveries = Delivery.objects.select_for_update(of=("self",)).select_related("subscriber")
    if payload.get("delivery") and str(payload["delivery"]).isdigit():
        delivery = deliveries.filter(pk=int(payload["delivery"])).first()
        if delivery and (
            delivery.subscriber is None or delivery.subscriber.email == payload["recipient"]
        ):
            return delivery
    if payload.get("message_id") and payload.get("recipient"):
        return _by_message_id(deliveries, payload["message_id"], payload["recipient"]).first()
    return None


def _by_message_id(deliveries, message_id: str, recipient: str):
    """The deliveries of one ESP message to one recipient: through the subscriber's
    address (unique) and the subscriber index, as the message id has no index."""
    return deliveries.filter(esp_message_id=message_id, subscriber__email=recipient)


def _suppress(address: str, reason: str, detail: str = "") -> None:
    if not address:
        return
    suppression, created = Suppression.objects.get_or_create(
        email_hash=email_hash(address), defaults={"reason": reason, "detail": detail[:200]}
    )
    if not created and reason == Suppression.Reason.COMPLAINT and suppression.reason != reason:
        suppression.reason = reason
        suppression.detail = detail[:200]
        suppression.save(update_fields=["reason", "detail"])


@transaction.atomic
def tracking_event_process(*, event_pk: int) -> bool:
    """Apply one ESP event to its delivery and to the suppression list. Safe to run twice:
    the event is marked processed, and every timestamp is set only once."""
    record = TrackingEvent.objects.select_for_update().filter(pk=event_pk).first()
    if record is None or record.processed_at is not None:
        return False
    payload = record.payload
    event_type = payload["event_type"]
    recipient = payload.get("recipient", "")
    when = (
        datetime.datetime.fromisoformat(payload["timestamp"])
        if payload.get("timestamp")
        else timezone.now()
    )
    delivery = _find_delivery(payload)
    subscriber = (
        delivery.subscriber if delivery else Subscriber.objects.filter(email=recipient).first()
    )

    def stamp(field: str, status: str | None = None) -> None:
        if delivery is None:
            return
        updates = {}
        if getattr(delivery, field) is None:
            updates[field] = when
        if status and delivery.status in {Delivery.Status.SENT, Delivery.Status.DELIVERED}:
            updates["status"] = status
        if updates:
            Delivery.objects.filter(pk=delivery.pk).update(**updates)

    if event_type == "delivered":
        stamp("delivered_at", Delivery.Status.DELIVERED)
    elif event_type == "bounced" or (
        event_type == "rejected" and payload.get("reject_reason") in {"bounced", "invalid"}
    ):
        stamp("bounced_at", Delivery.Status.BOUNCED)
        _suppress(recipient, Suppression.Reason.HARD_BOUNCE, payload.get("description", ""))
        if subscriber:
            _consent(
                subscriber,
                action=ConsentRecord.Action.SUPPRESSED,
                method=ConsentRecord.Method.ESP_EVENT,
                changes={"reason": "hard bounce"},
            )
    elif event_type == "complained" or (
        event_type == "rejected" and payload.get("reject_reason") == "spam"
    ):
        stamp("complained_at")
        _suppress(recipient, Suppression.Reason.COMPLAINT)
        if subscriber:
            subscriber_unsubscribe(
                subscriber=subscriber,
                method=ConsentRecord.Method.ESP_EVENT,
                campaign_id=delivery.campaign_id if delivery else None,
            )
    elif event_type == "opened":
        stamp("opened_at")
    elif event_type == "clicked":
        stamp("clicked_at")
        if delivery and delivery.opened_at is None:
            Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(opened_at=when)
    elif event_type == "unsubscribed" and subscriber:
        subscriber_unsubscribe(
            subscriber=subscriber,
            method=ConsentRecord.Method.ESP_EVENT,
            campaign_id=delivery.campaign_id if delivery else None,
        )
    # Anything else (queued, deferred, unknown…) is kept for the record and ignored.
    record.processed_at = timezone.now()
    # The address is no longer needed once applied.
    record.payload = {k: v for k, v in payload.items() if k != "recipient"}
    record.save(update_fields=["processed_at", "payload"])
    return True
