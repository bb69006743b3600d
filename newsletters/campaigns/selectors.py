"""Reads about campaigns: who a campaign would mail, the email it sends, and which
version of the newsletter its approver signed off."""

from ..subscribers.models import Subscriber
from .email import RenderedEmail, approved_version_url, render_newsletter_email
from .models import Campaign


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


def campaign_approved_page(*, campaign_id: int, revision_id: int):
    """The newsletter as a campaign's approver signed it off, for the web link in its
    email; None if that is not a version of the campaign's newsletter, or the newsletter
    is no longer public (unpublished, or under a view restriction)."""
    campaign = Campaign.objects.select_related("newsletter").filter(pk=campaign_id).first()
    if campaign is None:
        return None
    newsletter = campaign.newsletter
    revision = newsletter.revisions.filter(pk=revision_id).first()
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
