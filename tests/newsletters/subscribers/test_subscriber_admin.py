"""Staff see subscribers in the admin, export everything held on one, and erase one."""

import json

import pytest
from wagtail.models import ModelLogEntry

from newsletters.models import ConsentRecord, Subscriber, Suppression
from newsletters.subscribers import services as subscriber_services

from ..factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(eastfield):
    subscriber = SubscriberFactory(email="jo.bloggs@example.org", name="Jo", area=eastfield)
    subscriber_services.subscriber_update_preferences(
        subscriber=subscriber, name="Joanne", postcode="HB1 5CD", topics=[]
    )
    return subscriber


def test_communications_officer_lists_and_filters_subscribers(client, comms_officer, subscriber):
    client.force_login(comms_officer)
    response = client.get("/admin/newsletters/subscribers/", {"status": "confirmed"})
    assert response.status_code == 200
    assert "jo.bloggs@example.org" in response.content.decode()


def test_partner_viewer_cannot_see_subscribers(client, partner_viewer, subscriber):
    client.force_login(partner_viewer)
    # The admin turns a refusal into a redirect to the dashboard, with a message.
    for url in (
        "/admin/newsletters/subscribers/",
        f"/admin/newsletters/subscribers/{subscriber.pk}/export/",
    ):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/"), url
        assert "jo.bloggs@example.org" not in response.content.decode()


def test_export_gives_everything_held_on_one_subscriber(client, comms_officer, subscriber):
    client.force_login(comms_officer)
    response = client.get(f"/admin/newsletters/subscribers/{subscriber.pk}/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["subscriber"]["email"] == "jo.bloggs@example.org"
    assert data["subscriber"]["name"] == "Joanne"
    assert [r["action"] for r in data["consent_records"]] == ["Changed preferences"]
    assert data["consent_records"][0]["changes"]["name"] == ["Jo", "Joanne"]
    entry = ModelLogEntry.objects.get(action="newsletters.subscriber.export")
    assert entry.user == comms_officer and "jo.bloggs" not in entry.label


def test_erasure_from_the_admin_removes_the_person_but_keeps_the_suppression(
    client, comms_officer, subscriber
):
    campaign = CampaignFactory()
    campaign.deliveries.create(subscriber=subscriber, status="sent")
    subscriber_services.subscriber_unsubscribe(
        subscriber=subscriber, method=ConsentRecord.Method.EMAIL_LINK
    )
    client.force_login(comms_officer)
    url = f"/admin/newsletters/subscribers/delete/{subscriber.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert not Subscriber.objects.filter(pk=subscriber.pk).exists()
    assert not ConsentRecord.objects.exists()
    # The campaign keeps its count; the row no longer points at anyone.
    assert campaign.deliveries.get().subscriber is None
    # Only a fingerprint of the address remains, so they are still never mailed.
    assert Suppression.objects.filter(email_hash=subscriber.email_hash).exists()
    entry = ModelLogEntry.objects.get(action="newsletters.subscriber.erase")
    assert entry.user == comms_officer and "jo.bloggs" not in entry.label


def test_staff_correcting_a_subscriber_records_a_consent_change(client, comms_officer, subscriber):
    client.force_login(comms_officer)
    response = client.post(
        f"/admin/newsletters/subscribers/edit/{subscriber.pk}/",
        {"name": "J. Bloggs", "postcode": "HB1 5CD", "language": "en-gb"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    last = subscriber.consent_records.last()
    assert last.method == ConsentRecord.Method.ADMIN
    assert last.changes == {"name": ["Joanne", "J. Bloggs"]}


def test_staff_correcting_a_subscriber_are_told_the_change_is_recorded(
    client, comms_officer, subscriber
):
    client.force_login(comms_officer)
    response = client.post(
        f"/admin/newsletters/subscribers/edit/{subscriber.pk}/",
        {"name": "J. Bloggs", "postcode": "HB1 5CD", "language": "en-gb"},
        follow=True,
    )
    messages = [m.message for m in response.context["messages"]]
    assert f"Choices for {subscriber.email} saved" in messages[-1]
    assert "consent history" in messages[-1]
