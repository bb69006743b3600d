"""The demo initiative has subscribers in every area, two sent campaigns with figures
and one scheduled, and loading it twice changes nothing."""

import pytest
from django.core.management import call_command

from newsletters.models import Campaign, Delivery, Subscriber
from newsletters.sending import services as sending_services
from newsletters.sending.selectors import campaign_figures

pytestmark = pytest.mark.django_db


def test_demo_newsletters_are_realistic_and_idempotent():
    call_command("load_demo_data")
    counts = (Subscriber.objects.count(), Campaign.objects.count(), Delivery.objects.count())
    call_command("load_demo_data")
    assert (
        Subscriber.objects.count(),
        Campaign.objects.count(),
        Delivery.objects.count(),
    ) == counts

    areas = set(Subscriber.objects.confirmed().values_list("area__slug", flat=True))
    assert areas == {"eastfield", "canal-quarter", "northgate"}
    sent = Campaign.objects.filter(status=Campaign.Status.SENT)
    assert sent.count() == 2
    for campaign in sent:
        figures = campaign_figures(campaign)
        assert figures["recipients"] > 20
        assert figures["delivered"] + figures["bounced"] == figures["recipients"]
        assert 0 < figures["clicked"] < figures["opened"] < figures["delivered"]
    scheduled = Campaign.objects.get(status=Campaign.Status.SCHEDULED)
    assert scheduled.approved_by and scheduled.newsletter.live


def test_the_demo_scheduled_campaign_is_sent_as_its_approver_signed_it_off(
    django_capture_on_commit_callbacks,
):
    from django.contrib.auth import get_user_model

    call_command("load_demo_data")
    scheduled = Campaign.objects.get(status=Campaign.Status.SCHEDULED)
    assert scheduled.approved_revision == scheduled.newsletter.live_revision
    comms = get_user_model().objects.get(username="comms")
    with django_capture_on_commit_callbacks(execute=True):
        sent = sending_services.campaign_send_now(campaign=scheduled, user=comms)
    assert sent.status in {Campaign.Status.SENDING, Campaign.Status.SENT}
    assert Delivery.objects.filter(campaign=scheduled).count() == sent.recipient_count > 20
