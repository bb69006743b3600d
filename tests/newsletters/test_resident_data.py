"""Residents' addresses and names stay with the staff allowed to see subscribers: the
campaign page, the subscriber export, the emails' merge values and the sign-up form."""

import csv
import io
import re

import pytest

from .factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(comms_officer, eastfield):
    SubscriberFactory.create_batch(15, area=eastfield)
    return CampaignFactory(created_by=comms_officer, areas=[eastfield])


def manage_page(client, user, campaign) -> str:
    client.force_login(user)
    response = client.get(f"/admin/newsletters/campaigns/{campaign.pk}/manage/")
    assert response.status_code == 200
    return response.content.decode()


def test_partner_viewers_see_the_count_but_no_recipients(client, partner_viewer, campaign):
    for _ in range(5):
        html = manage_page(client, partner_viewer, campaign)
        assert "<strong>15</strong> subscribers would receive this now" in html
        assert "@example.org" not in html
        assert "Resident " not in html


def test_the_sample_is_the_same_on_every_reload(client, comms_officer, campaign):
    def addresses():
        return re.findall(
            r"<td>([^<]+@example\.org)</td>", manage_page(client, comms_officer, campaign)
        )

    first = addresses()
    assert len(first) == 10
    assert all(addresses() == first for _ in range(3))


# --- Exports -------------------------------------------------------------------------------


def test_the_subscriber_export_neutralises_formulas(client, comms_officer, eastfield):
    SubscriberFactory(email="ann@example.org", name='=HYPERLINK("http://evil.example","x")')
    SubscriberFactory(email="bob@example.org", name="@SUM(A1:A9)")
    SubscriberFactory(email="cy@example.org", name="+44 cell", postcode="-HB1")
    client.force_login(comms_officer)
    response = client.get("/admin/newsletters/subscribers/?export=csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    names = {row["Email"]: row for row in rows}
    assert names["ann@example.org"]["Name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert names["bob@example.org"]["Name"] == "'@SUM(A1:A9)"
    assert names["cy@example.org"]["Name"] == "'+44 cell"
    assert names["cy@example.org"]["Postcode"] == "'-HB1"


def test_every_admin_listing_that_exports_neutralises_its_cells():
    from django.urls import get_resolver
    from signpost.exports import NeutralisedExportMixin
    from wagtail.admin.viewsets import viewsets

    assert get_resolver().url_patterns  # loading the admin URLs registers every viewset
    exporting = [v for v in viewsets.viewsets if isinstance(getattr(v, "list_export", None), list)]
    assert {v.model._meta.label for v in exporting} >= {
        "newsletters.Subscriber",
        "engagement.Stakeholder",
        "engagement.MediaEnquiry",
    }
    unsafe = [
        v.model._meta.label
        for v in exporting
        if not issubclass(v.index_view_class, NeutralisedExportMixin)
    ]
    assert unsafe == []
