"""The communication plan: a page for staff and partners only."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction
from wagtail.test.utils.form_data import nested_form_data, streamfield

from engagement.models import Activity, CommunicationPlanPage
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(home):
    plan = CommunicationPlanPage(
        title="Communication plan",
        slug="communication-plan",
        aim="Reduce drug dealing by reassuring residents that reports are acted on.",
        key_messages=[("message", "Information from residents is acted on.")],
        channels=[
            (
                "channel",
                {"mode": "forum_meeting", "audience": "Consult", "how_used": "Monthly forum."},
            )
        ],
        spokesperson_name="Inspector Daniel Okafor",
        spokesperson_role="Initiative co-ordinator",
        media_protocol=[
            (
                "rule",
                {
                    "subject": "Arrests and warrants",
                    "answered_by": "Police press office",
                    "respond_within_hours": 2,
                },
            )
        ],
        review_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    home.add_child(instance=plan)
    plan.save_revision().publish()
    return plan


def test_anonymous_visitors_are_sent_to_log_in(client, plan):
    response = client.get(plan.url, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[0][1] == 302
    assert "next=/communication-plan/" in response.redirect_chain[0][0]
    assert 'name="password"' in html
    assert "Reduce drug dealing" not in html


def test_a_partner_viewer_reads_the_plan(client, plan, partner_viewer):
    client.force_login(partner_viewer)
    response = client.get(plan.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Reduce drug dealing" in html
    assert "Information from residents is acted on." in html
    assert "Community forum meeting" in html and "Monthly forum." in html
    assert "Inspector Daniel Okafor" in html
    assert "Police press office" in html and "2 hours" in html
    assert 'name="robots" content="noindex"' in html


@pytest.mark.parametrize("role", ["comms_officer", "approver", "neighbourhood_officer", "analyst"])
def test_staff_read_the_plan(request, client, plan, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(plan.url).status_code == 200


def test_an_account_without_a_role_cannot_read_it(client, plan, django_user_model):
    outsider = django_user_model.objects.create_user("outsider", password="x-long-password-1")
    client.force_login(outsider)
    response = client.get(plan.url)
    assert response.status_code == 302
    assert "Reduce drug dealing" not in response.content.decode()


def test_the_plan_is_not_in_the_sitemap_or_search(client, plan):
    assert "communication-plan" not in client.get("/sitemap.xml").content.decode()
    html = client.get("/search/", {"query": "communication plan"}).content.decode()
    assert 'href="/communication-plan/"' not in html


def test_a_plan_created_in_the_admin_is_restricted_from_the_start(client, home, comms_officer):
    client.force_login(comms_officer)
    url = reverse("wagtailadmin_pages:add", args=["engagement", "communicationplanpage", home.pk])
    form = nested_form_data(
        {
            "title": "Plan",
            "slug": "plan",
            "aim": "Reduce harm.",
            "key_messages": streamfield([]),
            "channels": streamfield([]),
            "media_protocol": streamfield([]),
            "audience_notes": '{"blocks":[],"entityMap":{}}',
            "spokesperson_name": "Inspector Okafor",
            "review_date": "2027-01-31",
            "action-publish": "true",
        }
    )
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = CommunicationPlanPage.objects.get(slug="plan")
    assert plan.live
    restriction = PageViewRestriction.objects.get(page=plan)
    assert restriction.restriction_type == PageViewRestriction.GROUPS
    assert set(restriction.groups.values_list("name", flat=True)) == {
        "Communications officer",
        "Approver",
        "Neighbourhood team",
        "Analyst",
        "Partner viewer",
    }
    client.logout()
    assert client.get("/plan/").status_code == 302


def test_the_plan_shows_the_calendar_against_it(client, plan, partner_viewer):
    today = timezone.localdate()
    Activity.objects.create(
        title="Forum", mode="forum_meeting", planned_on=today - datetime.timedelta(days=3)
    )
    Activity.objects.create(
        title="Leaflets",
        mode="leaflet_drop",
        planned_on=today - datetime.timedelta(days=2),
        delivered_on=today - datetime.timedelta(days=2),
    )
    Activity.objects.create(
        title="Next forum", mode="forum_meeting", planned_on=today + datetime.timedelta(days=5)
    )
    client.force_login(partner_viewer)
    html = client.get(plan.url).content.decode()
    assert "1 delivered" in html and "<strong>1 overdue</strong>" in html
    assert "Next forum" in html


def test_a_plan_past_its_review_date_says_so(client, plan, partner_viewer):
    plan.review_date = timezone.localdate() - datetime.timedelta(days=1)
    plan.save_revision().publish()
    client.force_login(partner_viewer)
    assert "was due for review" in client.get(plan.url).content.decode()


def test_audiences_come_live_from_the_stakeholder_register(client, plan, partner_viewer):
    from tests.engagement.factories import StakeholderFactory

    for scores in [(5, 5), (4, 1), (4, 2), (1, 1)]:
        StakeholderFactory(scores=scores)
    StakeholderFactory()  # not yet scored: in no quadrant
    client.force_login(partner_viewer)
    html = client.get(plan.url).content.decode()
    rows = dict(re.findall(r'<th scope="row">(\w+)</th><td>[^<]*</td><td>(\d+)</td>', html))
    assert rows == {"Involve": "1", "Consult": "2", "Inform": "0", "Watch": "1"}
    # A re-scored stakeholder moves quadrant, and the plan follows.
    StakeholderFactory(scores=(1, 5))
    html = client.get(plan.url).content.decode()
    assert re.search(r'<th scope="row">Inform</th><td>[^<]*</td><td>1</td>', html)


@pytest.mark.parametrize("role", ["comms_officer", "approver"])
def test_editors_cannot_lift_the_plans_privacy(request, client, plan, role):
    client.force_login(request.getfixturevalue(role))
    url = reverse("wagtailadmin_pages:set_privacy", args=[plan.pk])
    response = client.post(url, {"restriction_type": "none"})
    assert_refused(response)
    assert PageViewRestriction.objects.filter(
        page=plan, restriction_type=PageViewRestriction.GROUPS
    ).exists()
    client.logout()
    assert "Reduce drug dealing" not in client.get(plan.url, follow=True).content.decode()


def test_a_superuser_may_still_set_the_plans_privacy(client, plan, superuser):
    client.force_login(superuser)
    response = client.get(reverse("wagtailadmin_pages:set_privacy", args=[plan.pk]))
    assert response.status_code == 200
    html = response.json()["html"]
    assert 'value="groups"' in html
    assert 'value="password"' not in html and 'value="login"' not in html
