"""Reads about campaigns: who a campaign would mail, the email it sends, which version
of the newsletter its approver signed off, who may sign it off, and which campaigns wait
for a person's decision."""

from django.db.models import OuterRef, Subquery
from signpost.roles import permission_holders
from wagtail.models import Revision

from ..subscribers.models import Subscriber
from .email import RenderedEmail, approved_version_url, render_newsletter_email
from .models import Campaign, CampaignReview
from .translations import newsletter_translations_in_step

WAITING_LISTED = 5  # campaigns named in a "waiting for you" list; the rest are counted


def campaign_segment(campaign: Campaign):
    """The subscribers a campaign would mail now: confirmed, not suppressed, in its areas
    and topics (none chosen means all)."""
    subscribers = Subscriber.objects.mailable()
    area_ids = list(campaign.areas.values_list("pk", flat=True))
    topic_ids = list(campaign.topics.values_list("pk", flat=True))
    if area_ids:
        subscribers = subscribers.filter(area_id__in=area_ids)
    if topic_ids:
        subscribers = subscribers.filter(
            pk__in=Subscriber.topics.through.objects.filter(topic_id__in=topic_ids).values(
                "subscriber_id"
            )
        )
    return subscribers


def campaign_email(campaign: Campaign) -> RenderedEmail:
    """The email for a campaign: once approved, the newsletter version the approver
    signed off, never a later one; before approval, the page as it stands."""
    if campaign.approved_revision_id:
        newsletter = campaign.approved_revision.as_object()
        # "Read this on the website" shows the same version, whatever is live later.
        web_url = approved_version_url(campaign.pk, campaign.approved_revision_id)
        return render_newsletter_email(newsletter, subject=campaign.subject, web_url=web_url)
    if campaign.newsletter.live:
        newsletter = campaign.newsletter.specific
    else:
        newsletter = campaign.newsletter.get_latest_revision_as_object()
    return render_newsletter_email(newsletter, subject=campaign.subject)


def campaign_source_language(campaign: Campaign) -> str:
    """The language the newsletter was written in: what everyone without an approved
    translation in their own language receives."""
    return campaign.newsletter.locale.language_code


def campaign_translation_revisions(campaign: Campaign) -> dict[str, Revision]:
    """The translations signed off with the campaign (``translations``), by language."""
    wanted = campaign.approved_translations or {}
    revisions = Revision.objects.in_bulk([int(pk) for pk in wanted.values()])
    return {code: revisions[int(pk)] for code, pk in wanted.items() if int(pk) in revisions}


def campaign_translations_to_sign_off(campaign: Campaign) -> dict[str, Revision]:
    """Once approved, the translations signed off; before, those that approval would
    sign off now (in step with the live newsletter), for the Approver to preview."""
    if campaign.approved_revision_id:
        return campaign_translation_revisions(campaign)
    newsletter = campaign.newsletter
    if not newsletter.live or newsletter.live_revision is None:
        return {}
    return newsletter_translations_in_step(newsletter, newsletter.live_revision)


def campaign_translation_emails(campaign: Campaign) -> dict[str, RenderedEmail]:
    """The email in each language it has an approved translation in (before approval,
    each it would have), rendered once per language. Its subject is the translation's
    title (the campaign's subject is written in the newsletter's language, and the
    title is part of what was signed off)."""
    emails = {}
    for code, revision in campaign_translations_to_sign_off(campaign).items():
        translated = revision.as_object()
        web_url = (
            approved_version_url(campaign.pk, revision.pk) if campaign.approved_revision_id else ""
        )
        emails[code] = render_newsletter_email(
            translated, subject=translated.title, web_url=web_url
        )
    return emails


def campaign_approved_page(*, campaign_id: int, revision_id: int):
    """The newsletter as a campaign's approver signed it off, for the web link in its
    email; None if that is not a version of the campaign's newsletter, or the newsletter
    is no longer public (unpublished, or under a view restriction)."""
    campaign = Campaign.objects.select_related("newsletter").filter(pk=campaign_id).first()
    if campaign is None:
        return None
    newsletter = campaign.newsletter
    revision = newsletter.revisions.filter(pk=revision_id).first()
    if revision is None and revision_id in {
        int(pk) for pk in (campaign.approved_translations or {}).values()
    }:
        # A translation signed off with the campaign: shown as it was, while it is live.
        revision = Revision.objects.filter(pk=revision_id).first()
        newsletter = revision.content_object.specific if revision else None
    if revision is None or not newsletter.live or newsletter.get_view_restrictions().exists():
        return None
    return revision.as_object()


def campaign_approved_version(campaign: Campaign) -> dict | None:
    """Which version of the newsletter the campaign was approved with, and whether the
    page has changed since (a newer draft, or a newer version published)."""
    approved = campaign.approved_revision
    if approved is None:
        return None
    newsletter = campaign.newsletter
    newer = newsletter.revisions.filter(created_at__gt=approved.created_at).exclude(pk=approved.pk)
    return {
        "revision": approved,
        "changed": newer.exists(),
        "published_since": newsletter.live_revision_id not in (None, approved.pk),
        "latest": newer.order_by("-created_at", "-pk").select_related("user").first(),
    }


def campaign_approvers(campaign: Campaign):
    """Who may sign the campaign off: the Approvers, never its author."""
    return permission_holders("newsletters.approve_campaign").exclude(pk=campaign.created_by_id)


def campaign_reviews(campaign: Campaign) -> list[CampaignReview]:
    """The campaign's sign-off so far, newest first, with who did each step."""
    return list(campaign.reviews.select_related("by"))


def campaign_last_sent_back(campaign: Campaign) -> CampaignReview | None:
    """The latest sending back, while the campaign is still the draft it made it (a new
    request or an approval since answers it)."""
    latest = campaign.reviews.select_related("by").first()
    if latest and latest.action == CampaignReview.Action.SENT_BACK:
        return latest
    return None


def _with_latest_action(campaigns):
    latest = CampaignReview.objects.filter(campaign=OuterRef("pk")).order_by("-at", "-pk")
    return campaigns.annotate(latest_action=Subquery(latest.values("action")[:1]))


def campaigns_waiting_for(user) -> dict:
    """What in campaigns waits for ``user``: campaigns awaiting their approval (an
    Approver's, never their own) and their own campaigns sent back to them. Each list
    holds the first few, oldest first, beside its full count; a fixed number of queries
    whatever the counts."""
    waiting = {"to_approve": [], "to_approve_count": 0, "sent_back": [], "sent_back_count": 0}
    if user.has_perm("newsletters.approve_campaign"):
        to_approve = Campaign.objects.filter(status=Campaign.Status.AWAITING_APPROVAL).exclude(
            created_by=user
        )
        waiting["to_approve_count"] = to_approve.count()
        if waiting["to_approve_count"]:
            waiting["to_approve"] = list(
                to_approve.select_related("created_by").order_by("created_at", "pk")[
                    :WAITING_LISTED
                ]
            )
    if user.has_perm("newsletters.change_campaign"):
        sent_back = _with_latest_action(
            Campaign.objects.filter(status=Campaign.Status.DRAFT, created_by=user)
        ).filter(latest_action=CampaignReview.Action.SENT_BACK)
        waiting["sent_back_count"] = sent_back.count()
        if waiting["sent_back_count"]:
            waiting["sent_back"] = list(sent_back.order_by("created_at", "pk")[:WAITING_LISTED])
    return waiting
