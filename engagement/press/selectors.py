"""Reads for the plan, the newsroom, media enquiries and press release sign-off."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone
from signpost.figures import day_bounds, moment_as_at, rate
from wagtail.models import Page, Revision, WorkflowState

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


def press_release_sign_off(*, revision):
    """The completed sign-off that lets ``revision`` go public, or None."""
    return PressReleaseSignOff.objects.letting_go_live(revision)


# --- Figures for reports and the dashboard ----------------------------------------------

RELEASES_SHOWN = 5


def communications_section(
    *, start: datetime.date, end: datetime.date, today: datetime.date
) -> dict:
    """Press releases published in the period and waiting for sign-off or their embargo
    now; media enquiries received in the period, answered by the outlet's deadline or
    not, and open or overdue now; the communication plan's review date. Five queries."""
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
