"""The demo initiative has subscribers in every area, two sent campaigns with figures
and one scheduled, and loading it twice changes nothing."""

import pytest
from django.core.management import call_command

from newsletters.models import Campaign, Delivery, Subscriber
from newsletters.selectors import campaign_figures

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
