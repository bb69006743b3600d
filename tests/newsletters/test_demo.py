"""The demo initiative has subscribers in every area, two sent campaigns with figures
and one scheduled, and loading it twice changes nothing."""

import pytest
from django.core.management import call_command
from wagtail.models import Locale

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


def test_the_demo_has_the_may_newsletter_in_welsh_and_urdu_for_its_residents(
    django_capture_on_commit_callbacks,
):
    from django.contrib.auth import get_user_model
    from django.core import mail

    call_command("load_demo_data")
    call_command("load_demo_data")  # create-only: the translations are made once
    scheduled = Campaign.objects.get(status=Campaign.Status.SCHEDULED)
    assert set(scheduled.approved_translations) == {"cy", "ur"}
    welsh = scheduled.newsletter.get_translation(Locale.objects.get(language_code="cy"))
    assert welsh.live and welsh.title.startswith("Harbridge ym mis Mai")
    assert set(Subscriber.objects.values_list("language", flat=True)) == {"en-gb", "cy", "ur"}

    comms = get_user_model().objects.get(username="comms")
    with django_capture_on_commit_callbacks(execute=True):
        sending_services.campaign_send_now(campaign=scheduled, user=comms)
    urdu = [m for m in mail.outbox if "nasreen.ur@residents.example.org" in m.to]
    assert len(urdu) == 1 and '<html lang="ur" dir="rtl">' in urdu[0].alternatives[0][0]
    assert urdu[0].subject.startswith("مئی میں ہاربرج")
