"""Every write about subscribers, one function per action: sign-up with double opt-in,
confirmation, preference changes, unsubscribe, erasure, purge of unconfirmed sign-ups,
and the suppression list; every change of consent leaves a ``ConsentRecord``."""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from signpost import figures, jobs
from signpost.languages import language_for
from signpost.links import absolute_url
from signpost.mail import email_send
from signpost.models import InitiativeSettings
from wagtail.log_actions import log
from wagtail.models import Site

from engagement.models import Area

from ..email_language import email_language_context
from . import tasks, tokens
from .consent import CURRENT_WORDING_VERSION
from .models import AreaSubscriberCount, ConsentRecord, Subscriber, Suppression, email_hash


def subscriber_consent_record(
    subscriber, *, action, method, changes=None, wording_version="", language=""
) -> ConsentRecord:
    """Keep one change of a subscriber's consent: when, how, the wording shown and in
    which language, what changed."""
    return ConsentRecord.objects.create(
        subscriber=subscriber,
        action=action,
        method=method,
        wording_version=wording_version,
        language=language,
        changes=changes or {},
    )


def _describe(subscriber) -> dict:
    return {
        "name": subscriber.name,
        "postcode": subscriber.postcode,
        "area": subscriber.area.name if subscriber.area_id else "",
        "topics": sorted(t.name for t in subscriber.topics.all()),
        "language": subscriber.language,
    }


def _diff(before: dict, after: dict) -> dict:
    return {key: [before[key], after[key]] for key in after if before.get(key) != after[key]}


def subscriber_send_confirmation(*, subscriber: Subscriber) -> None:
    """The double opt-in email: a signed link that expires."""
    with translation.override(subscriber.language):
        context = {
            "subscriber": subscriber,
            "confirm_url": absolute_url(
                reverse("newsletters:confirm", args=[tokens.confirm_token(subscriber)])
            ),
            "max_age_days": settings.SIGNPOST_CONFIRM_LINK_MAX_AGE_DAYS,
        }
        _send_transactional(
            subscriber, "confirm_subscription", gettext("Confirm your email updates"), context
        )


def _send_already_subscribed(subscriber: Subscriber) -> None:
    with translation.override(subscriber.language):
        context = {
            "subscriber": subscriber,
            "preferences_url": absolute_url(
                reverse("newsletters:preferences", args=[tokens.manage_token(subscriber)])
            ),
        }
        _send_transactional(
            subscriber,
            "already_subscribed",
            gettext("You already get our email updates"),
            context,
        )


def _send_transactional(
    subscriber, template: str, subject: str, context: dict, headers: dict | None = None
) -> None:
    """An email to one subscriber, in their language: the caller has made the links and
    the subject under ``translation.override(subscriber.language)``, and this renders
    the body under it too (a task has no request whose language it could borrow)."""
    site = Site.objects.filter(is_default_site=True).first()
    context["initiative"] = InitiativeSettings.for_site(site) if site else InitiativeSettings()
    context.update(email_language_context(subscriber.language))
    with translation.override(subscriber.language):
        email_send(
            to=[subscriber.email],
            subject=f"{subject} | {context['initiative'].name}",
            context=context,
            text_template=f"email/{template}.txt",
            html_template=f"email/{template}.html",
            headers=headers,
        )


def _awaiting_confirmation(subscriber: Subscriber) -> bool:
    """Pending, and its confirmation link has not expired yet."""
    max_age = datetime.timedelta(days=settings.SIGNPOST_CONFIRM_LINK_MAX_AGE_DAYS)
    return (
        subscriber.status == Subscriber.Status.PENDING
        and subscriber.created_at >= timezone.now() - max_age
    )


def subscriber_sign_up_queue(
    *,
    email: str,
    name: str,
    postcode: str,
    topic_ids: list[int],
    area_id: int | None,
    wording_version: str,
    language: str = settings.LANGUAGE_CODE,
) -> None:
    """Take a sign-up off the request: the form answers in the same time for an address
    that is new, pending or already subscribed, and at once with the broker down (the
    job waits in the ledger, and beat hands it on when the broker is back)."""
    jobs.job_queue(
        tasks.subscriber_sign_up,
        email=email,
        name=name,
        postcode=postcode,
        topic_ids=topic_ids,
        area_id=area_id,
        wording_version=wording_version,
        language=language,
        label="Sign-up: confirm an email address",
        send_now=True,  # the form stores nothing else: there is no transaction to wait for
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
    language: str = settings.LANGUAGE_CODE,
) -> None:
    """Start a subscription, or restart one. Answers nothing about whether the address was
    known: the caller shows the same page either way, and only the address's owner learns
    more, by email. The area the resident chose wins; without one, the postcode's.
    ``language`` is the one the form was read in: the subscriber's emails are in it, and
    the consent record says the wording was shown in it. An address already confirmed or
    waiting keeps its language (anyone can type an address)."""
    language = language_for(language).code
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
        before = {"name": "", "postcode": "", "area": "", "topics": [], "language": ""}
    else:
        before = _describe(subscriber)
    subscriber.name = name
    subscriber.postcode = postcode
    subscriber.area = area
    subscriber.language = language
    subscriber.status = Subscriber.Status.PENDING
    subscriber.created_at = timezone.now()
    subscriber.save()
    subscriber.topics.set(topics)
    subscriber_consent_record(
        subscriber,
        action=ConsentRecord.Action.SIGNED_UP,
        method=ConsentRecord.Method.WEB_FORM,
        wording_version=wording_version,
        language=language,
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
        raise tokens.LinkInvalid(_("This sign-up no longer exists. Please sign up again."))
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
    subscriber_consent_record(
        subscriber,
        action=ConsentRecord.Action.CONFIRMED,
        method=ConsentRecord.Method.EMAIL_LINK,
        wording_version=signed_up.wording_version if signed_up else CURRENT_WORDING_VERSION,
        language=signed_up.language if signed_up else subscriber.language,
    )
    jobs.job_queue(
        tasks.subscriber_welcome_send,
        subscriber.pk,
        label=f"Subscriber {subscriber.pk}: the welcome email",
    )
    return subscriber


def subscriber_welcome_send(*, subscriber_id: int) -> bool:
    """The welcome email after confirming, with the links to change choices and to leave.

    Sent once per confirmation: the row is locked while it goes and ``welcomed_at`` is
    stamped in the same transaction, so a job run twice sends once. Nothing is sent to a
    subscriber who left (or was erased) before it went. Returns whether it was sent."""
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None or subscriber.status != Subscriber.Status.CONFIRMED:
            return False
        if subscriber.welcomed_at and subscriber.welcomed_at >= subscriber.confirmed_at:
            return False
        token = tokens.manage_token(subscriber)
        with translation.override(subscriber.language):
            unsubscribe_url = absolute_url(reverse("newsletters:unsubscribe", args=[token]))
            context = {
                "subscriber": subscriber,
                "preferences_url": absolute_url(reverse("newsletters:preferences", args=[token])),
                "unsubscribe_url": unsubscribe_url,
            }
            _send_transactional(
                subscriber,
                "welcome",
                gettext("Welcome to our email updates"),
                context,
                headers={
                    "List-Unsubscribe": f"<{unsubscribe_url}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                },
            )
        subscriber.welcomed_at = timezone.now()
        subscriber.save(update_fields=["welcomed_at"])
    return True


@transaction.atomic
def subscriber_update_preferences(
    *,
    subscriber: Subscriber,
    name: str,
    postcode: str,
    topics,
    language: str | None = None,
    method=ConsentRecord.Method.PREFERENCE_PAGE,
) -> Subscriber:
    """Save a subscriber's choices; ``language`` (None: unchanged) is what their emails
    are written in from now on."""
    before = _describe(subscriber)
    subscriber.name = name
    if language is not None:
        subscriber.language = language_for(language).code
    if postcode != subscriber.postcode:
        # Only a new postcode moves the subscriber: an area chosen from a leaflet's or
        # sign's QR code at sign-up stays while they change other preferences.
        subscriber.postcode = postcode
        subscriber.area = Area.objects.for_postcode(postcode) if postcode else None
    subscriber.save()
    subscriber.topics.set(list(topics))
    changes = _diff(before, _describe(subscriber))
    if changes:
        subscriber_consent_record(
            subscriber,
            action=ConsentRecord.Action.PREFERENCES_CHANGED,
            method=method,
            wording_version=CURRENT_WORDING_VERSION,
            language=translation.get_language() or "",
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
        subscriber.deliveries.filter(campaign_id=campaign_id, unsubscribed_at__isnull=True).update(
            unsubscribed_at=now
        )
        figures.campaign_figures_forget(campaign_id)
    subscriber_consent_record(
        subscriber, action=ConsentRecord.Action.UNSUBSCRIBED, method=method, changes=changes
    )
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


def suppression_add(*, address: str, reason: str, detail: str = "") -> None:
    """Put an address on the suppression list (by its fingerprint); a complaint outranks
    any earlier reason."""
    if not address:
        return
    suppression, created = Suppression.objects.get_or_create(
        email_hash=email_hash(address), defaults={"reason": reason, "detail": detail[:200]}
    )
    if not created and reason == Suppression.Reason.COMPLAINT and suppression.reason != reason:
        suppression.reason = reason
        suppression.detail = detail[:200]
        suppression.save(update_fields=["reason", "detail"])


def area_subscriber_counts_recount() -> int:
    """Count each area's confirmed subscribers from the register again and replace the
    counts the triggers keep (``AreaSubscriberCount``): the safety net should a change
    ever reach the table with its triggers off (a restore run with them disabled). The
    register is held against writes for the count (a second at a force's size), so no
    change falls between the count and the triggers. Returns how many areas' counts were
    wrong. Nothing to do on SQLite, which counts its register on every view."""
    if connection.vendor != "postgresql":
        return 0
    counts = AreaSubscriberCount._meta.db_table
    subscribers = Subscriber._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {subscribers} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            f"""
            WITH actual AS (
                SELECT coalesce(area_id, 0) AS area_key, count(*) AS subscribed
                FROM {subscribers} WHERE status = %s GROUP BY 1
            ), merged AS (
                SELECT coalesce(a.area_key, k.area_key) AS area_key,
                       coalesce(a.subscribed, 0) AS subscribed
                FROM actual a FULL JOIN {counts} k ON k.area_key = a.area_key
                WHERE k.subscribed IS DISTINCT FROM a.subscribed
                  AND NOT (a.area_key IS NULL AND k.subscribed = 0)
            )
            INSERT INTO {counts} (area_key, subscribed) SELECT area_key, subscribed FROM merged
            ON CONFLICT (area_key) DO UPDATE SET subscribed = excluded.subscribed
            """,  # noqa: S608 (the table names are the models')
            [Subscriber.Status.CONFIRMED],
        )
        return cursor.rowcount
