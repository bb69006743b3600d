"""The engagement log: what neighbourhood teams and communications officers record,
what it changes in the register and the activity calendar, and the overdue reminders."""

import datetime
import html

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from engagement.models import Activity, ConcernTheme, Engagement, Stakeholder
from engagement.tasks import stakeholder_overdue_remind_send
from tests.downloads import answer_followed
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db

ADD = "wagtailsnippets_engagement_engagement:add"
EDIT = "wagtailsnippets_engagement_engagement:edit"
INDEX = "wagtailsnippets_engagement_engagement:list"
TODAY = timezone.localdate()


def door_to_door(area, **overrides):
    data = {
        "mode": "door_to_door",
        "title": "Door knocking after the warrants",
        "occurred_on": (TODAY - datetime.timedelta(days=1)).isoformat(),
        "area": area.pk,
        "operation": "",
        "place": "",
        "attendance_count": "",
        "streets": "Larch Close\nMeadow Way",
        "doors_knocked": "120",
        "conversations": "46",
        "issues_raised": "Relief that the flat was shut; worry about who comes next.",
        "actions_agreed": "",
        "outcome": "",
        "follow_up_action": "",
        "follow_up_due": "",
        "follow_up_done_on": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_neighbourhood_officer_logs_a_door_to_door_session(client, neighbourhood_officer):
    area = AreaFactory(name="Eastfield")
    theme = ConcernTheme.objects.create(name="Dealing in the street")
    client.force_login(neighbourhood_officer)
    response = client.post(reverse(ADD), door_to_door(area, themes=[theme.pk]))
    assert response.status_code == 302, response.context["form"].errors
    engagement = Engagement.objects.get()
    assert engagement.logged_by == neighbourhood_officer
    assert (engagement.doors_knocked, engagement.conversations) == (120, 46)
    assert list(engagement.themes.all()) == [theme]
    # The activity calendar shows a door-to-door session delivered in Eastfield.
    activity = Activity.objects.get()
    assert activity.mode == Activity.Mode.DOOR_TO_DOOR
    assert activity.area == area
    assert activity.delivered_on == engagement.occurred_on


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"occurred_on": (TODAY + datetime.timedelta(days=2)).isoformat()},
            "occurred_on",
            "once it has happened",
        ),
        ({"conversations": "500"}, "conversations", "more conversations than doors"),
        ({"doors_knocked": ""}, "doors_knocked", "how many doors"),
        ({"follow_up_due": TODAY.isoformat()}, "follow_up_action", "what the follow-up is"),
        ({"doors_knocked": "-3"}, "doors_knocked", "greater than or equal to 0"),
    ],
)
def test_bad_engagement_input_is_refused_and_nothing_is_logged(
    client, neighbourhood_officer, overrides, field, message
):
    area = AreaFactory()
    client.force_login(neighbourhood_officer)
    response = client.post(reverse(ADD), door_to_door(area, **overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Engagement.objects.exists()
    assert not Activity.objects.exists()


def test_door_to_door_names_no_one(client, neighbourhood_officer):
    area = AreaFactory()
    stakeholder = StakeholderFactory()
    client.force_login(neighbourhood_officer)
    response = client.post(reverse(ADD), door_to_door(area, stakeholders=[stakeholder.pk]))
    assert response.status_code == 200
    assert "counts and themes only" in " ".join(response.context["form"].errors["stakeholders"])


def test_engagement_form_shows_neighbourhood_officers_no_contact_details(
    client, neighbourhood_officer
):
    StakeholderFactory(name="Father Michael", email="father.michael@example.org")
    client.force_login(neighbourhood_officer)
    html = client.get(reverse(ADD)).content.decode()
    assert "father.michael@example.org" not in html
    # The picker finds him by name, without his contact details.
    found = client.get(reverse("engagement_stakeholder_picker_search"), {"q": "father"})
    assert found.json()["results"][0]["label"].startswith("Father Michael")
    assert "father.michael@example.org" not in found.content.decode()


def test_forum_meeting_updates_stakeholders_and_the_calendar(client, comms_officer):
    area = AreaFactory()
    present = StakeholderFactory(name="Eastfield Tenants", scores=(4, 2))
    planned = Activity.objects.create(
        title="Eastfield forum", mode=Activity.Mode.FORUM_MEETING, area=area, planned_on=TODAY
    )
    client.force_login(comms_officer)
    meeting_day = TODAY - datetime.timedelta(days=3)
    response = client.post(
        reverse(ADD),
        door_to_door(
            area,
            mode="forum_meeting",
            title="Eastfield PACT meeting",
            occurred_on=meeting_day.isoformat(),
            place="Eastfield Community Centre",
            attendance_count="34",
            doors_knocked="",
            conversations="",
            streets="",
            stakeholders=[present.pk],
            follow_up_action="Send the tenants the arrest-day summary",
            follow_up_due=(TODAY + datetime.timedelta(days=7)).isoformat(),
        ),
    )
    assert response.status_code == 302, response.context["form"].errors
    present.refresh_from_db()
    assert present.last_engaged_on == meeting_day
    assert present.next_action_due == meeting_day + datetime.timedelta(days=60)
    planned.refresh_from_db()
    assert planned.delivered_on == meeting_day
    assert Activity.objects.count() == 1


def test_partner_viewer_cannot_read_the_engagement_log(client, partner_viewer):
    client.force_login(partner_viewer)
    assert_refused(client.get(reverse(INDEX)))


def test_periodic_task_reminds_of_overdue_actions_and_follow_ups_once(comms_officer):
    long_ago = TODAY - datetime.timedelta(days=200)
    watched = StakeholderFactory(name="Spinney Walk Allotments", scores=(1, 1))
    watched.assessments.update(assessed_on=long_ago)
    Stakeholder.objects.filter(pk=watched.pk).update(assessed_on=long_ago)
    StakeholderFactory(name="Up To Date", scores=(1, 1))
    engagement = Engagement.objects.create(
        mode="phone_call",
        title="Call with the head teacher",
        occurred_on=TODAY - datetime.timedelta(days=20),
        follow_up_action="Send assembly materials",
        follow_up_due=TODAY - datetime.timedelta(days=5),
    )

    assert stakeholder_overdue_remind_send.delay().get() == 2
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"{watched}: Re-assess interest and influence" in body
    assert "Up To Date" not in body
    assert "Send assembly materials" in body
    assert mail.outbox[0].to == [comms_officer.email]

    # A second run the same day sends nothing new.
    assert stakeholder_overdue_remind_send.delay().get() == 0
    assert len(mail.outbox) == 1
    engagement.refresh_from_db()
    assert engagement.follow_up_reminded_on == TODAY


def test_register_filters_stakeholders_with_overdue_follow_ups(client, comms_officer):
    late = StakeholderFactory(name="Late Follow-up", scores=(4, 4))
    StakeholderFactory(name="Nothing Pending", scores=(4, 4))
    engagement = Engagement.objects.create(
        mode="one_to_one",
        title="Coffee",
        occurred_on=TODAY - datetime.timedelta(days=10),
        follow_up_action="Send minutes",
        follow_up_due=TODAY - datetime.timedelta(days=1),
    )
    engagement.stakeholders.add(late)
    client.force_login(comms_officer)
    response = client.get(
        reverse("wagtailsnippets_engagement_stakeholder:list"), {"follow_up_overdue": "true"}
    )
    assert [s.name for s in response.context["object_list"]] == ["Late Follow-up"]


def _log_forum_meetings(count: int, area, theme) -> None:
    for n in range(count):
        engagement = Engagement.objects.create(
            mode=Engagement.Mode.FORUM_MEETING,
            title=f"Forum {n}",
            occurred_on=timezone.localdate(),
            area=area,
            attendance_count=20,
        )
        engagement.stakeholders.set([StakeholderFactory(), StakeholderFactory()])
        engagement.themes.set([theme])


@pytest.mark.parametrize("url_name", ["engagement", "activity", "mediaenquiry"])
def test_listings_and_exports_keep_their_query_budget(
    client, comms_officer, django_assert_max_num_queries, url_name
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from engagement.models import MediaEnquiry

    area = AreaFactory(name="Eastfield", slug="eastfield")
    theme = ConcernTheme.objects.create(name="Drug litter")

    def add(count):
        _log_forum_meetings(count, area, theme)
        for n in range(count):
            Activity.objects.create(
                title=f"Drop {n}",
                mode=Activity.Mode.LEAFLET_DROP,
                area=area,
                owner=comms_officer,
                planned_on=timezone.localdate(),
            )
            MediaEnquiry.objects.create(
                outlet=f"Echo {n}",
                journalist="Reporter",
                question="When?",
                deadline=timezone.now(),
                handler=comms_officer,
            )

    client.force_login(comms_officer)
    listing = reverse(f"wagtailsnippets_engagement_{url_name}:list")
    add(2)
    client.get(listing)
    with CaptureQueriesContext(connection) as small:
        client.get(listing)
        answer_followed(client, listing, {"export": "csv"})  # the log's: prepared
    small = len(small.captured_queries)
    add(10)
    with django_assert_max_num_queries(small):
        client.get(listing)
        response = answer_followed(client, listing, {"export": "csv"})
    assert response.status_code == 200


def test_logging_an_engagement_says_whose_dates_moved(client, comms_officer):
    area = AreaFactory()
    present = StakeholderFactory(name="Eastfield Tenants", scores=(4, 2))
    client.force_login(comms_officer)
    response = client.post(
        reverse(ADD),
        door_to_door(
            area,
            mode="forum_meeting",
            title="Eastfield PACT meeting",
            attendance_count="34",
            doors_knocked="",
            conversations="",
            streets="",
            stakeholders=[present.pk],
        ),
        follow=True,
    )
    # Wagtail's message with its Edit button, as HTML.
    message = html.unescape([m.message for m in response.context["messages"]][-1])
    assert message.startswith("Engagement 'Eastfield PACT meeting")
    assert (
        "logged: the last-engaged and next-contact dates of its 1 stakeholder are brought up "
        "to date." in message
    )
