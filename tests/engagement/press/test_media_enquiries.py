"""The media enquiries log and the dashboard's overdue list."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from engagement.models import MediaEnquiry

pytestmark = pytest.mark.django_db

LIST_URL = "wagtailsnippets_engagement_mediaenquiry:list"
ADD_URL = "wagtailsnippets_engagement_mediaenquiry:add"


def enquiry(**fields):
    now = timezone.now()
    defaults = {
        "outlet": "Harbridge Echo",
        "journalist": "Sam Whitley",
        "question": "How many arrests were made?",
        "received_at": now - datetime.timedelta(hours=5),
        "deadline": now + datetime.timedelta(hours=3),
    }
    defaults.update(fields)
    return MediaEnquiry.objects.create(**defaults)


def test_comms_officer_logs_an_enquiry_through_the_admin(client, comms_officer, approver):
    client.force_login(comms_officer)
    response = client.post(
        reverse(ADD_URL),
        {
            "received_at": "2026-11-27 09:30",
            "outlet": "Radio Harbridge",
            "journalist": "Jo Patel",
            "journalist_contact": "jo@radio.example.com",
            "question": "Will the spokesperson do an interview?",
            "protocol_subject": "The initiative as a whole",
            "handler": approver.pk,
            "deadline": "2026-11-27 17:00",
            "status": "in_hand",
            "response": "",
            "responded_at": "",
        },
    )
    assert response.status_code == 302
    logged = MediaEnquiry.objects.get()
    assert logged.handler == approver and logged.outlet == "Radio Harbridge"


def test_bad_input_is_refused_with_clear_messages(client, comms_officer):
    client.force_login(comms_officer)
    response = client.post(
        reverse(ADD_URL),
        {
            "received_at": "2026-11-27 09:30",
            "outlet": "Radio Harbridge",
            "journalist": "Jo Patel",
            "question": "Comment?",
            "deadline": "2026-11-26 17:00",
            "status": "answered",
            "response": "",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The deadline cannot be before the enquiry was received." in html
    assert "Record what was said" in html
    assert not MediaEnquiry.objects.exists()


def test_overdue_enquiries_are_on_the_dashboard(client, comms_officer):
    enquiry(outlet="Northgate Weekly", deadline=timezone.now() - datetime.timedelta(hours=2))
    enquiry(outlet="Harbridge Echo")  # not yet due
    enquiry(
        outlet="BBC Local",
        deadline=timezone.now() - datetime.timedelta(days=1),
        status=MediaEnquiry.Status.ANSWERED,
        response="Answered on time.",
    )
    client.force_login(comms_officer)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Media enquiries past their deadline" in html
    assert "Northgate Weekly" in html
    assert "Harbridge Echo" not in html and "BBC Local" not in html


def test_the_dashboard_shows_no_panel_when_nothing_is_overdue(client, comms_officer):
    enquiry()
    client.force_login(comms_officer)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Media enquiries past their deadline" not in html


@pytest.mark.parametrize("role", ["partner_viewer", "neighbourhood_officer", "analyst"])
def test_other_roles_do_not_see_the_media_log(request, client, role):
    enquiry(deadline=timezone.now() - datetime.timedelta(hours=2), outlet="Northgate Weekly")
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(LIST_URL))
    assert response.status_code == 302
    assert "Northgate Weekly" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_the_log_exports_to_a_spreadsheet(client, approver):
    enquiry(outlet="=HYPERLINK(evil)")
    client.force_login(approver)
    response = client.get(reverse(LIST_URL), {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "Sam Whitley" in body
    assert "\n=HYPERLINK" not in body and ",=HYPERLINK" not in body
