"""Every decision about a campaign, one function per action: the author's request for
approval, approval by an Approver who is not the author or sending it back with a reason
(each kept as a ``CampaignReview`` and told by email to the next person), its withdrawal
when the campaign changes, test sends, and the schedule. Sending itself is the
``sending`` sub-package's."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from signpost import jobs
from signpost.links import absolute_url
from signpost.mail import email_once, email_send
from signpost.roles import emails_of
from signpost.sanitise import clean_text
from wagtail.log_actions import log

from . import tasks
from .email import sample_merge_values
from .models import Campaign, CampaignReview
from .selectors import campaign_approvers, campaign_email, campaign_segment
from .translations import newsletter_translations_in_step

APPROVE_PERMISSION = "newsletters.approve_campaign"
REASON_MAX_LENGTH = 2000
SIGN_OFF_TAG = "sign-off"  # staff notices, told apart from residents' emails at the ESP


class CampaignError(ValidationError):
    """A campaign action that cannot happen now; the message says why, for the user."""


def campaign_locked(campaign: Campaign) -> Campaign:
    """The campaign's row, locked until the transaction ends."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


APPROVAL_CLEARED = {
    "status": Campaign.Status.DRAFT,
    "approved_by": None,
    "approved_at": None,
    "approved_revision": None,
    "approved_subject": "",
    "approved_segment": {},
    "approved_translations": {},
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
    campaign = campaign_locked(campaign)
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
    campaign = campaign_locked(campaign)
    if not user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("Only an Approver can sign off a campaign.")
    if campaign.created_by_id == user.pk:
        raise CampaignError("You wrote this campaign, so someone else must approve it.")
    if campaign.status not in {Campaign.Status.DRAFT, Campaign.Status.AWAITING_APPROVAL}:
        raise CampaignError(
            f"This campaign is {campaign.get_status_display().lower()}, not a draft."
        )
    _check_ready_for_sign_off(campaign, doing="approving")
    revision = campaign.newsletter.live_revision
    if revision is None:
        raise CampaignError("Publish the newsletter before approving a campaign that sends it.")
    campaign.status = Campaign.Status.APPROVED
    campaign.approved_by = user
    campaign.approved_at = timezone.now()
    campaign.approved_revision = revision
    campaign.approved_subject = campaign.subject
    campaign.approved_segment = campaign.segment_definition()
    # The translations that say what the approved version says, as they are now, are
    # signed off with it (``translations``): only those revisions are sent.
    campaign.approved_translations = {
        code: translated.pk
        for code, translated in newsletter_translations_in_step(
            campaign.newsletter.specific, revision
        ).items()
    }
    campaign.save(
        update_fields=[
            "status",
            "approved_by",
            "approved_at",
            "approved_revision",
            "approved_subject",
            "approved_segment",
            "approved_translations",
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
            "translations": campaign.approved_translations,
        },
    )
    _review_record(campaign=campaign, action=CampaignReview.Action.APPROVED, user=user)
    return campaign


def _check_ready_for_sign_off(campaign: Campaign, *, doing: str) -> None:
    if not campaign.newsletter.live or campaign.newsletter.live_revision_id is None:
        raise CampaignError(f"Publish the newsletter before {doing} a campaign that sends it.")
    if not campaign_segment(campaign).exists():
        raise CampaignError("Nobody is in this campaign's segment: choose other areas or topics.")


def _review_record(*, campaign: Campaign, action: str, user, reason: str = "") -> CampaignReview:
    """Keep one step of the sign-off and have the next person told, once, after commit."""
    review = CampaignReview.objects.create(campaign=campaign, action=action, by=user, reason=reason)
    jobs.job_queue(
        tasks.campaign_review_notify_send,
        review.pk,
        label=f"Campaign {campaign.pk}: tell who is next ({review.get_action_display().lower()})",
    )
    return review


@transaction.atomic
def campaign_approval_request(*, campaign: Campaign, user) -> Campaign:
    """The author asks the Approvers to sign the campaign off; they are emailed."""
    campaign = campaign_locked(campaign)
    if not user.has_perm("newsletters.change_campaign"):
        raise PermissionDenied("Only a campaign's editors can ask for its approval.")
    if campaign.status == Campaign.Status.AWAITING_APPROVAL:
        raise CampaignError("Approval has already been requested for this campaign.")
    if campaign.status != Campaign.Status.DRAFT:
        raise CampaignError(
            f"This campaign is {campaign.get_status_display().lower()}, not a draft."
        )
    _check_ready_for_sign_off(campaign, doing="asking for approval of")
    campaign.status = Campaign.Status.AWAITING_APPROVAL
    campaign.save(update_fields=["status"])
    log(instance=campaign, action="newsletters.campaign.approval_requested", user=user)
    _review_record(campaign=campaign, action=CampaignReview.Action.REQUESTED, user=user)
    return campaign


@transaction.atomic
def campaign_send_back(*, campaign: Campaign, user, reason: str) -> Campaign:
    """An Approver returns the campaign to its author as a draft, saying why."""
    campaign = campaign_locked(campaign)
    if not user.has_perm(APPROVE_PERMISSION):
        raise PermissionDenied("Only an Approver can send a campaign back.")
    if campaign.created_by_id == user.pk:
        raise CampaignError("You wrote this campaign, so someone else must review it.")
    if campaign.status != Campaign.Status.AWAITING_APPROVAL:
        raise CampaignError("Only a campaign awaiting approval can be sent back.")
    reason = clean_text(reason or "", max_length=REASON_MAX_LENGTH).strip()
    if not reason:
        raise CampaignError("Say what needs to change, so the author knows.")
    campaign.status = Campaign.Status.DRAFT
    campaign.save(update_fields=["status"])
    log(
        instance=campaign,
        action="newsletters.campaign.sent_back",
        user=user,
        data={"reason": reason},
    )
    _review_record(
        campaign=campaign, action=CampaignReview.Action.SENT_BACK, user=user, reason=reason
    )
    return campaign


def _review_recipients(review: CampaignReview) -> list[str]:
    """Who is next: the Approvers (but the author and the asker) when approval is asked
    for; the author, and whoever asked if someone else, when it is decided."""
    campaign = review.campaign
    if review.action == CampaignReview.Action.REQUESTED:
        users = campaign_approvers(campaign).exclude(pk=review.by_id)
        return emails_of(users)
    asked_by = (
        campaign.reviews.filter(action=CampaignReview.Action.REQUESTED, at__lte=review.at)
        .values_list("by__email", flat=True)
        .first()
    )
    addresses = {campaign.created_by.email if campaign.created_by else "", asked_by or ""}
    decided_by = review.by.email if review.by else ""
    return sorted(a for a in addresses if a and a != decided_by)


REVIEW_SUBJECTS = {
    CampaignReview.Action.REQUESTED: "Approval requested: {name}",
    CampaignReview.Action.APPROVED: "Campaign approved: {name}",
    CampaignReview.Action.SENT_BACK: "Campaign sent back: {name}",
}


def campaign_review_notify_send(*, review_id: int) -> int:
    """Email the next person about one step of a campaign's sign-off, once. Returns how
    many were told."""

    def compose(review: CampaignReview) -> dict:
        campaign = review.campaign
        return {
            "subject": REVIEW_SUBJECTS[review.action].format(name=campaign.name),
            "text_template": f"email/newsletters/campaign_{review.action}.txt",
            "context": {
                "campaign": campaign,
                "review": review,
                "by": review.by.get_full_name() or review.by.username if review.by else "",
                "url": absolute_url(reverse("newsletters_campaign_manage", args=[campaign.pk])),
            },
            "tags": [SIGN_OFF_TAG],
        }

    return email_once(
        CampaignReview.objects.select_related("campaign__created_by", "by").filter(
            pk=review_id, notified_at__isnull=True
        ),
        stamp="notified_at",
        recipients=_review_recipients,
        compose=compose,
    )


def campaign_check_as_approved(campaign: Campaign) -> None:
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
    rendered = campaign_email(campaign)
    values = sample_merge_values()
    if user and user.first_name:
        values["name"] = user.first_name
    for address in addresses:
        email_send(
            to=[address],
            subject=f"[Test] {rendered.subject}",
            text=rendered.text_for(values),
            html=rendered.html_for(values),
            headers={
                "List-Unsubscribe": f"<{values['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
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
    campaign = campaign_locked(campaign)
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
    campaign = campaign_locked(campaign)
    if campaign.status != Campaign.Status.SCHEDULED:
        raise CampaignError("This campaign is not scheduled.")
    campaign.status = Campaign.Status.APPROVED
    campaign.scheduled_for = None
    campaign.save(update_fields=["status", "scheduled_for"])
    log(instance=campaign, action="newsletters.campaign.unschedule", user=user)
    return campaign
