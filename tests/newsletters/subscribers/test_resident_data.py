"""Residents' addresses and names stay with the staff allowed to see subscribers: the
campaign page, the subscriber export, the emails' merge values and the sign-up form."""

import csv
import io
import re

import pytest
from django.core import mail

from newsletters.campaigns import services as campaign_services
from newsletters.models import Subscriber
from newsletters.sending import services as sending_services
from tests.downloads import answer_followed, downloaded

from ..factories import CampaignFactory, SubscriberFactory

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
    content = downloaded(client, "/admin/newsletters/subscribers/?export=csv")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
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


# --- Merge values --------------------------------------------------------------------------


def as_delivered(template: str, values: dict) -> str:
    """What Mailgun makes of a part: each %recipient.x% replaced by the value as given."""
    return re.sub(r"%recipient\.(\w+)%", lambda m: str(values[m.group(1)]), template)


def test_a_name_reaches_the_html_part_as_text(
    client, django_capture_on_commit_callbacks, comms_officer, approver, eastfield
):
    hostile = '<a href="http://evil.example/">Claim your refund</a>'
    SubscriberFactory(email="ann@example.org", name=hostile, area=eastfield)
    campaign = CampaignFactory(created_by=comms_officer, areas=[eastfield])
    campaign_services.campaign_approve(campaign=campaign, user=approver)
    with django_capture_on_commit_callbacks(execute=True):
        sending_services.campaign_send_now(campaign=campaign, user=approver)

    message = mail.outbox[-1]
    values = message.anymail_test_params["merge_data"]["ann@example.org"]
    html_part = as_delivered(message.alternatives[0][0], values)
    assert 'href="http://evil.example/"' not in html_part
    assert "Hello &lt;a href=&quot;http://evil.example/&quot;&gt;Claim your refund" in html_part
    assert values["name"] == hostile  # kept as typed for the plain-text part


# --- Sign-up -------------------------------------------------------------------------------


def sign_up(client, **overrides):
    from newsletters.subscribers.consent import CURRENT_WORDING_VERSION

    data = {
        "email": "sam.jones@example.org",
        "name": "Sam",
        "postcode": "HB1 4AB",
        "consent": "on",
        "wording_version": CURRENT_WORDING_VERSION,
        "website": "",
    }
    return client.post("/newsletters/subscribe/", {**data, **overrides})


def test_a_second_sign_up_does_not_overwrite_a_pending_one(
    client, django_capture_on_commit_callbacks, eastfield, riverside
):
    with django_capture_on_commit_callbacks(execute=True):
        sign_up(client, name="Sam", postcode="HB1 4AB")
        response = sign_up(client, name="Impostor", postcode="HB2 9ZZ")
    assert response.status_code == 302
    subscriber = Subscriber.objects.get(email="sam.jones@example.org")
    assert (subscriber.name, subscriber.postcode, subscriber.area) == ("Sam", "HB1 4AB", eastfield)
    assert subscriber.status == Subscriber.Status.PENDING
    assert subscriber.consent_records.count() == 1
    # The owner gets the first sign-up's link again; following it confirms Sam's details.
    assert [m.to for m in mail.outbox] == [["sam.jones@example.org"]] * 2
    assert mail.outbox[0].body == mail.outbox[1].body


def test_sign_up_does_the_same_work_for_a_new_and_a_subscribed_address(
    client, eastfield, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletters.subscribers import tasks

    SubscriberFactory(email="known@example.org", area=eastfield)
    queued = []
    monkeypatch.setattr(
        tasks.subscriber_sign_up, "apply_async", lambda args, kw, **options: queued.append(kw)
    )
    sign_up(client, email="warm-up@example.org")  # sessions, content types: cached after
    measured = []
    for email in ("new.person@example.org", "known@example.org"):
        with CaptureQueriesContext(connection) as queries:
            response = sign_up(client, email=email)
        measured.append((response.status_code, response.url, len(queries)))
    assert measured[0] == measured[1]
    assert [q["email"] for q in queued] == [
        "warm-up@example.org",
        "new.person@example.org",
        "known@example.org",
    ]


@pytest.mark.parametrize(
    "path",
    [
        "",
        "?export=csv",
        "?export=xlsx",
        "?q=resident",
        "?topics=1",
        "?ordering=email",
        "?ordering=area",
    ],
)
def test_the_subscriber_listing_and_its_exports_take_as_many_queries_for_many(
    client, comms_officer, path
):
    """The register and its downloads (asked for, prepared and downloaded) cost the same
    few queries whatever its size."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AreaFactory

    client.force_login(comms_officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = answer_followed(client, f"/admin/newsletters/subscribers/{path}")
            assert response.status_code == 200
            b"".join(response.streaming_content) if response.streaming else response.content
        return len(captured)

    SubscriberFactory.create_batch(3, area=AreaFactory(slug="few"), name="Resident")
    queries()  # warm per-process caches
    few = queries()
    for n in range(30):
        SubscriberFactory(area=AreaFactory(slug=f"many-{n}"), name="Resident")
    assert queries() == few


def test_filtering_by_topics_lists_each_subscriber_once_without_distinct(client, comms_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from newsletters.models import Topic

    parks, policing = (
        Topic.objects.create(name="Parks", slug="parks"),
        Topic.objects.create(name="Policing", slug="policing"),
    )
    both = SubscriberFactory(email="both@example.org", topics=[parks, policing])
    SubscriberFactory(email="parks@example.org", topics=[parks])
    SubscriberFactory(email="none@example.org", topics=[])
    client.force_login(comms_officer)
    with CaptureQueriesContext(connection) as captured:
        content = downloaded(
            client,
            f"/admin/newsletters/subscribers/?topics={parks.pk}&topics={policing.pk}&export=csv",
        )
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert sorted(row["Email"] for row in rows) == [both.email, "parks@example.org"]
    assert not [q["sql"] for q in captured if "DISTINCT" in q["sql"].upper()]
