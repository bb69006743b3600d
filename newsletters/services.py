"""Every write in the newsletters app, one function per action.

Subscribers: sign-up with double opt-in, confirmation, preference changes, unsubscribe,
erasure, purge of unconfirmed sign-ups; every change of consent leaves a ``ConsentRecord``.
Campaigns: approval, test send, send now or at a set time, chunked sending through the
sender backend, resume of a dead worker's chunk, and tracking events from the ESP.
"""

import contextlib
import datetime
import html
import logging
import time
import uuid
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, OuterRef, Value, When
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


@transaction.atomic
def campaign_write_deliveries(*, campaign_id: int) -> int:
    """Write the ledger, one Delivery row per recipient, in one ``INSERT … SELECT`` from
    the segment query (the ids never pass through Python), then queue the chunk tasks.
    The statement is all or nothing, so rows existing means the ledger is written:
    running this twice writes nothing twice. Returns the rows written."""
    from .selectors import campaign_segment

    campaign = Campaign.objects.select_for_update().filter(pk=campaign_id).first()
    if campaign is None or campaign.status != Campaign.Status.SENDING:
        return 0
    written = 0
    if not Delivery.objects.filter(campaign_id=campaign_id).exists():
        segment = campaign_segment(campaign).order_by().values(recipient=F("pk"))
        select_sql, params = segment.query.sql_with_params()
        with connection.cursor() as cursor:
            # Table names from the models; every value is a parameter.
            cursor.execute(
                f"INSERT INTO {Delivery._meta.db_table} "  # noqa: S608
                "(campaign_id, subscriber_id, status, attempts, esp_message_id, error) "
                f"SELECT %s, segment.recipient, %s, 0, '', '' FROM ({select_sql}) AS segment "
                # WHERE true: SQLite's grammar needs it before ON CONFLICT.
                "WHERE true ON CONFLICT DO NOTHING",
                [campaign_id, Delivery.Status.QUEUED, *params],
            )
            written = cursor.rowcount
            if connection.vendor == "postgresql":
                # Tell the planner about the new rows before the chunks query them.
                cursor.execute(f"ANALYZE {Delivery._meta.db_table}")
        campaign.recipient_count = written
        campaign.save(update_fields=["recipient_count"])
        if not written:
            # Everyone left between the click and now: nothing to send.
            _campaign_mark_sent(campaign)
            return 0
    transaction.on_commit(lambda: campaign_enqueue_chunks(campaign_id=campaign_id))
    return written


def campaign_enqueue_chunks(*, campaign_id: int) -> int:
    """Queue one chunk task per batch of queued rows, each given its rows' id range, so
    a claim reads a short index range however far the send has got. A task finding its
    range already sent stops, so queueing too many is harmless."""
    from .campaign_backends import batch_size
    from .tasks import campaign_send_chunk

    ranges = _chunk_ranges(campaign_id, batch_size())
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
    """A transient ESP failure: the same claimed rows are to be sent again later."""

    def __init__(self, message: str, *, claim: str):
        super().__init__(message)
        self.claim = claim


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


def campaign_send_chunk(
    *,
    campaign_id: int,
    claim: str | None = None,
    first_id: int | None = None,
    last_id: int | None = None,
) -> int:
    """Send one chunk: claim up to a batch of queued rows (those between ``first_id`` and
    ``last_id`` when given), call the ESP once, record the message ids. Returns how many
    were sent. Raises ``ChunkRetry`` on a transient ESP error, keeping the claim so a
    retry sends exactly the same rows. The number of queries is the same for a chunk of
    ten and of a thousand."""
    from .campaign_backends import CampaignBackendError, Recipient, batch_size, get_backend

    campaign = (
        Campaign.objects.only(
            "status", "recipient_count", "rendered_subject", "rendered_html", "rendered_text"
        )
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None or campaign.status != Campaign.Status.SENDING:
        return 0
    if claim is None:
        id_range = (first_id or _ANY_ID[0], last_id or _ANY_ID[1])
        claim, rows = _claim_chunk(campaign_id, batch_size(), id_range)
        if claim is None:
            campaign_finish_if_done(campaign_id=campaign_id)
            return 0
    else:
        rows = _renew_claim(campaign_id, claim)
        if not rows:
            return 0
    settled = 0
    skipped = [r.delivery_id for r in rows if not r.mailable]
    if skipped:
        settled += Delivery.objects.filter(pk__in=skipped).update(
            status=Delivery.Status.SUPPRESSED, claim=None
        )
    links = ManageLinks()
    recipients = [
        Recipient(
            delivery_id=r.delivery_id,
            email=r.email,
            merge_values=_merge_values(r, campaign_id, links),
        )
        for r in rows
        if r.mailable
    ]
    if recipients:
        esp_throttle_acquire(len(recipients))
        try:
            result = get_backend().send_batch(campaign=campaign, recipients=recipients)
        except CampaignBackendError as error:
            if error.transient:
                raise ChunkRetry(str(error), claim=claim) from error
            settled += Delivery.objects.filter(
                campaign_id=campaign_id, status=Delivery.Status.SENDING, claim=claim
            ).update(status=Delivery.Status.FAILED, claim=None, error=str(error)[:300])
            logger.error("Campaign %s: chunk refused by the ESP: %s", campaign_id, error)
        else:
            settled += _record_sent(campaign_id, claim, recipients, result)
    if _count_settled(campaign, settled):
        campaign_finish_if_done(campaign_id=campaign_id)
    return len(recipients)


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


def _record_sent(campaign_id: int, claim: str, recipients, result) -> int:
    """Mark the chunk sent with its message ids in one statement (two when the ESP
    refused some addresses, together so a crash cannot leave half of it recorded).
    Returns the rows recorded: none when the lease ran out and the rows were queued
    again meanwhile."""
    now = timezone.now()
    refused = [r.delivery_id for r in recipients if r.email in result.refused]
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
        if refused:
            recorded += claimed.filter(pk__in=refused).update(
                status=Delivery.Status.FAILED, claim=None, error="Refused by the ESP"
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
    # A campaign whose ledger task was lost (its worker died before the one INSERT
    # committed) has no rows at all: write them now.
    lease = datetime.timedelta(seconds=settings.SIGNPOST_SEND_LEASE_SECONDS)
    unwritten = Campaign.objects.filter(
        status=Campaign.Status.SENDING, send_started_at__lt=now - lease
    ).exclude(Exists(Delivery.objects.filter(campaign_id=OuterRef("pk"))))
    for campaign_id in unwritten.values_list("pk", flat=True):
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
    # Most chunks end with rows still to send: one unlocked query says so. Only the last
    # takes the campaign's lock, and asks again under it.
    if unfinished.exists():
        return False
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign_id)
        if campaign.status != Campaign.Status.SENDING:
            return False
        if unfinished.exists() or not campaign.deliveries.exists():
            # Rows left, or the ledger not written yet.
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
        return deliveries.filter(
            esp_message_id=payload["message_id"], subscriber__email=payload["recipient"]
        ).first()
    return None


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
