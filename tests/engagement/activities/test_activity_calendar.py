"""The activity calendar's month view: planned against delivered, and what is overdue."""

import datetime

import pytest
from django.urls import reverse

from engagement.models import Activity

pytestmark = pytest.mark.django_db

CALENDAR = "wagtailsnippets_engagement_activity:calendar"


@pytest.fixture
def november(db):
    """November 2026: two delivered (one as planned, one unplanned), one overdue."""
    Activity.objects.create(
        title="Leaflet drop",
        mode="leaflet_drop",
        planned_on=datetime.date(2026, 11, 3),
        delivered_on=datetime.date(2026, 11, 4),
    )
    Activity.objects.create(
        title="Forum meeting", mode="forum_meeting", planned_on=datetime.date(2026, 11, 10)
    )
    Activity.objects.create(
        title="Signs", mode="removable_signs", delivered_on=datetime.date(2026, 11, 12)
    )
    Activity.objects.create(
        title="December bulletin", mode="email_newsletter", planned_on=datetime.date(2026, 12, 5)
    )


def totals(html):
    import re

    return dict(re.findall(r'data-total="(\w+)">(\d+)<', html))


@pytest.mark.parametrize("role", ["comms_officer", "partner_viewer", "neighbourhood_officer"])
def test_month_view_shows_planned_against_delivered_and_overdue(request, client, november, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(CALENDAR), {"month": "2026-11"})
    html = response.content.decode()
    assert response.status_code == 200
    assert totals(html) == {
        "planned": "2",
        "delivered": "2",
        "delivered_as_planned": "1",
        "unplanned_delivered": "1",
        "overdue": "1",
    }
    assert "activity--overdue" in html and "Forum meeting" in html
    assert "activity--delivered" in html and "Leaflet drop" in html
    assert "December bulletin" not in html
    assert "November 2026" in html


def test_a_bad_month_falls_back_to_this_month(client, comms_officer):
    client.force_login(comms_officer)
    for month in ("", "2026-13", "nonsense", "9999999-1"):
        assert client.get(reverse(CALENDAR), {"month": month}).status_code == 200


def test_the_month_view_has_a_fixed_query_budget(
    client, comms_officer, november, django_assert_max_num_queries
):
    client.force_login(comms_officer)
    client.get(reverse(CALENDAR), {"month": "2026-11"})
    for day in range(1, 28):
        Activity.objects.create(
            title=f"Door knock {day}", mode="door_to_door", planned_on=datetime.date(2026, 11, day)
        )
    with django_assert_max_num_queries(20):
        response = client.get(reverse(CALENDAR), {"month": "2026-11"})
    assert response.content.decode().count("Door knock") == 27


def test_a_user_without_a_role_cannot_see_the_calendar(client, django_user_model):
    user = django_user_model.objects.create_user("outsider", password="x-long-password-1")
    client.force_login(user)
    assert client.get(reverse(CALENDAR)).status_code == 302


def test_the_communications_menu_links_the_calendar(client, comms_officer):
    client.force_login(comms_officer)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse(CALENDAR) in html


def test_a_month_at_the_calendars_edge_falls_back_to_this_month(client, comms_officer):
    client.force_login(comms_officer)
    for month in ("9999-12", "0001-01", "10000-01"):
        response = client.get(reverse(CALENDAR), {"month": month})
        assert response.status_code == 200, month
