"""The end of a send: a campaign is marked sent once its ledger is written and settled."""

from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log

from engagement.activities.services import activity_record_delivered
from engagement.models import Activity

from ..campaigns.models import Campaign
from .models import Delivery


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
        campaign_mark_sent(campaign)
    return True


def campaign_mark_sent(campaign: Campaign) -> None:
    """The campaign is sent: say so in its status and the audit log, and record the
    delivery in the activity calendar."""
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
