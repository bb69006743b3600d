"""Reads for the plan, the newsroom, media enquiries and press release sign-off."""

import datetime
import re

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from signpost.figures import day_bounds, moment_as_at, rate

from engagement.stakeholders.selectors import media_contacts

from .models import (
    CommunicationPlanPage,
    MediaEnquiry,
    PressReleaseMailing,
    PressReleasePage,
    PressReleaseSignOff,
)

# --- Media enquiries -------------------------------------------------------------------


def media_enquiries_overdue(now: datetime.datetime | None = None) -> QuerySet:
    """Open enquiries past the outlet's deadline, most overdue first."""
    return MediaEnquiry.objects.overdue(now).select_related("handler").order_by("deadline")


# --- Press releases --------------------------------------------------------------------


def press_release_media_recipients() -> list[tuple[str, str]]:
    """(address, name) of every media contact a published release is emailed to."""
    return [(contact.email, contact.name) for contact in media_contacts()]


# --- Press release sign-off ----------------------------------------------------------------

# Parts of a revision's content that record bookkeeping, not what the public reads: a
# change to them is not a change of what was signed off.
UNSIGNED_CONTENT_KEYS = frozenset(
    {
        "pk",
        "live",
        "live_revision",
        "has_unpublished_changes",
        "first_published_at",
        "last_published_at",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "locked",
        "locked_at",
        "locked_by",
        "expired",
        "owner",
        "wagtail_admin_comments",
        "path",
        "depth",
        "numchild",
        "url_path",
        "translation_key",
        "locale",
        "content_type",
        "alias_of",
    }
)


def _without_block_ids(value):
    """StreamField blocks get fresh ids when a form is posted without them; the words and
    their order are what is signed, not the ids."""
    if isinstance(value, list):
        return [_without_block_ids(item) for item in value]
    if isinstance(value, dict):
        return {k: _without_block_ids(v) for k, v in value.items() if k != "id"}
    return value


def _signed_value(value):
    if isinstance(value, str) and value.startswith("[{"):
        import json

        try:
            return _without_block_ids(json.loads(value))
        except ValueError:
            return value
    return value


def press_release_signed_content(revision, *, without_embargo: bool = False) -> dict:
    """What a sign-off covers in a revision: the wording, the links and the embargo."""
    skip = UNSIGNED_CONTENT_KEYS | ({"go_live_at"} if without_embargo else set())
    return {
        key: _signed_value(value)
        for key, value in (revision.content or {}).items()
        if key not in skip
    }


def press_release_fingerprint(revision) -> str:
    import hashlib
    import json

    from django.core.serializers.json import DjangoJSONEncoder

    content = json.dumps(
        press_release_signed_content(revision), sort_keys=True, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(content.encode()).hexdigest()


# The rich text editor's own bookkeeping in saved HTML: a key on every paragraph, and an
# empty paragraph it puts in an empty field once the page has loaded.
_EDITOR_BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')
_EMPTY_RICH_TEXT = re.compile(r"(\s*<p>\s*</p>\s*)*")


def _as_read(value):
    """A value as a reader sees it: without the rich text editor's keys, and an empty
    paragraph read as nothing."""
    if isinstance(value, list):
        return [_as_read(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_read(item) for key, item in value.items()}
    if isinstance(value, str):
        text = _EDITOR_BLOCK_KEY.sub("", value)
        return "" if _EMPTY_RICH_TEXT.fullmatch(text) else text
    return value


def press_release_changes_only_embargo(revision, signed_revision) -> bool:
    """True when ``revision`` differs from ``signed_revision`` in nothing a reader would
    see but the embargo. (Approving in the editor saves the form: an empty field the
    editor filled with an empty paragraph is not a change of wording.)"""
    return _as_read(press_release_signed_content(revision, without_embargo=True)) == _as_read(
        press_release_signed_content(signed_revision, without_embargo=True)
    )


def press_release_sign_off(*, revision):
    """The completed sign-off that lets ``revision`` go public, or None: the release's
    latest sign-off must be of this very revision, and its content unchanged since."""
    if revision is None:
        return None
    latest = (
        PressReleaseSignOff.objects.filter(release_id=revision.object_id)
        .select_related("reviewed_by", "approved_by")
        .order_by("-signed_at", "-pk")
        .first()
    )
    if latest is None or latest.revision_id != revision.pk:
        return None
    if latest.fingerprint != press_release_fingerprint(revision):
        return None
    return latest


def press_release_going_live_is_signed_off(*, release) -> bool:
    """True unless saving ``release`` would take live a revision that was not signed off."""
    if release.pk:
        before = (
            PressReleasePage.objects.filter(pk=release.pk)
            .values("live", "live_revision_id")
            .first()
        )
        if before and before["live"] and before["live_revision_id"] == release.live_revision_id:
            return True
    revision = release.live_revision if release.live_revision_id else None
    if revision is None or not release.pk or str(revision.object_id) != str(release.pk):
        # A copy kept live points at the original's revision: not its own sign-off.
        return False
    return press_release_sign_off(revision=revision) is not None


def press_release_sign_offs(release) -> QuerySet:
    """Who signed which revision of a release, with the embargo they approved."""
    return release.sign_offs.select_related("reviewed_by", "approved_by", "revision")


# --- Figures for reports and the dashboard ----------------------------------------------

RELEASES_SHOWN = 5


def communications_section(
    *, start: datetime.date, end: datetime.date, today: datetime.date
) -> dict:
    """Press releases published in the period and waiting for sign-off or their embargo
    now; media enquiries received in the period, answered by the outlet's deadline or
    not, and open or overdue now; the communication plan's review date. Five queries."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Page, Revision, WorkflowState

    now = moment_as_at(today)
    start_at, end_before = day_bounds(start, end)
    published_in_period = Q(first_published_at__gte=start_at, first_published_at__lt=end_before)
    page_type = ContentType.objects.get_for_model(Page)
    this_page = {"base_content_type": page_type, "object_id": Cast(OuterRef("pk"), CharField())}
    in_sign_off = Exists(
        WorkflowState.objects.filter(**this_page, status=WorkflowState.STATUS_IN_PROGRESS)
    )
    scheduled = Exists(Revision.objects.filter(**this_page, approved_go_live_at__gt=now))
    releases = PressReleasePage.objects.order_by().aggregate(
        published=Count("pk", filter=published_in_period & Q(live=True)),
        live=Count("pk", filter=Q(live=True)),
        awaiting_sign_off=Count("pk", filter=Q(in_sign_off)),
        embargoed=Count("pk", filter=Q(scheduled)),
    )
    mailings = PressReleaseMailing.objects.filter(
        sent_at__gte=start_at, sent_at__lt=end_before
    ).count()
    latest = (
        PressReleasePage.objects.live()
        .filter(published_in_period)
        .order_by("-first_published_at", "-pk")
        .values("title", "first_published_at")[:RELEASES_SHOWN]
    )

    received = Q(received_at__gte=start_at, received_at__lt=end_before)
    open_now = Q(status__in=MediaEnquiry.OPEN_STATUSES)
    enquiries = MediaEnquiry.objects.order_by().aggregate(
        received=Count("pk", filter=received),
        responded=Count("pk", filter=received & Q(responded_at__isnull=False)),
        on_time=Count("pk", filter=received & Q(responded_at__lte=F("deadline"))),
        late=Count("pk", filter=received & Q(responded_at__gt=F("deadline"))),
        open=Count("pk", filter=open_now),
        overdue=Count("pk", filter=open_now & Q(deadline__lt=now)),
    )

    plan = (
        CommunicationPlanPage.objects.live()
        .only("title", "review_date", "key_messages", "channels", "spokesperson_name")
        .first()
    )
    return {
        "releases": {
            **releases,
            "mailings_sent": mailings,
            "latest": [
                {
                    "title": r["title"],
                    "published_on": timezone.localtime(r["first_published_at"]).date().isoformat(),
                }
                for r in latest
            ],
        },
        "enquiries": {
            **enquiries,
            "on_time_rate": rate(enquiries["on_time"], enquiries["responded"]),
        },
        "plan": None
        if plan is None
        else {
            "title": plan.title,
            "review_date": plan.review_date.isoformat(),
            "review_due": plan.review_date <= today,
            "key_messages": len(plan.key_messages),
            "channels": len(plan.channels),
            "spokesperson": plan.spokesperson_name,
        },
    }
