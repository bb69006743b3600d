"""The admin home page's "Waiting for you": per role, the campaigns awaiting your
approval, the releases at a sign-off step you may sign, and your own work sent back to
you; in a fixed number of queries whatever the counts; and nothing that is a draft for a
partner viewer."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from signpost import roles

from newsletters.campaigns import services as campaign_services
from reports.selectors import waiting_for_you
from tests.conftest import ensure_migrated_data
from tests.factories import AreaFactory
from tests.newsletters.factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {
        "author": make_user(roles.COMMUNICATIONS_OFFICER, username="nadia"),
        "colin": make_user(roles.APPROVER, username="colin"),
        "ana": make_user(roles.APPROVER, username="ana"),
    }


@pytest.fixture
def area(db):
    area = AreaFactory(name="Eastfield", slug="eastfield")
    SubscriberFactory(area=area)
    return area


@pytest.fixture
def newsroom(db):
    from engagement.models import NewsroomPage

    home = ensure_migrated_data()
    newsroom = NewsroomPage(title="News", slug="news", introduction="Releases.")
    home.add_child(instance=newsroom)
    newsroom.save_revision().publish()
    return newsroom


def campaign_asking(author, area, name):
    campaign = CampaignFactory(name=name, created_by=author, areas=[area])
    return campaign_services.campaign_approval_request(campaign=campaign, user=author)


def release_submitted(newsroom, author, title):
    from engagement.models import PressReleasePage

    release = PressReleasePage(
        title=title,
        summary="Police closed a dealing site.",
        body=[("paragraph", "<p>Eleven warrants.</p>")],
        owner=author,
        live=False,
    )
    newsroom.add_child(instance=release)
    release.save_revision(user=author)
    release.get_workflow().start(release, author)
    return PressReleasePage.objects.get(pk=release.pk)


def home(client, user) -> str:
    client.force_login(user)
    return client.get("/admin/").content.decode()


def test_each_role_sees_what_waits_for_them(client, people, area, newsroom, partner_viewer):
    author, colin, ana = people["author"], people["colin"], people["ana"]
    campaign_asking(author, area, "March update, Eastfield")
    colins_own = campaign_asking(colin, area, "Colin's own campaign")
    sent_back = campaign_asking(author, area, "Forum reminder")
    campaign_services.campaign_send_back(campaign=sent_back, user=ana, reason="Add the venue.")
    release_submitted(newsroom, author, "Arrests close dealing site")
    changes = release_submitted(newsroom, author, "Warrant day in Riverside")
    changes.current_workflow_task.on_action(
        changes.current_workflow_task_state, colin, "reject", comment="Too early."
    )

    colins = home(client, colin)
    assert "Waiting for you" in colins
    assert "Campaigns awaiting your approval: 1" in colins
    assert "March update, Eastfield" in colins
    assert "Colin&#x27;s own campaign" not in colins and "Colin's own campaign" not in colins
    assert "Press releases at your sign-off step: 1" in colins
    assert "Arrests close dealing site" in colins

    anas = home(client, ana)
    assert "Campaigns awaiting your approval: 2" in anas  # Colin's too: Ana did not write it
    assert colins_own.name.replace("'", "&#x27;") in anas

    authors = home(client, author)
    assert "Your campaigns sent back to you: 1" in authors and "Forum reminder" in authors
    assert "Your press releases with changes requested: 1" in authors
    assert "Warrant day in Riverside" in authors
    assert "Campaigns awaiting your approval" not in authors
    assert "Press releases at your sign-off step" not in authors


@pytest.mark.parametrize("role", ["partner_viewer", "neighbourhood_officer", "analyst"])
def test_roles_that_decide_nothing_see_no_draft(client, request, role, people, area, newsroom):
    campaign_asking(people["author"], area, "March update, Eastfield")
    release_submitted(newsroom, people["author"], "Arrests close dealing site")
    html = home(client, request.getfixturevalue(role))
    assert "Waiting for you" not in html
    assert "March update, Eastfield" not in html
    assert "Arrests close dealing site" not in html


def test_the_counts_cost_the_same_queries_for_one_or_many(people, area, newsroom):
    author, colin = people["author"], people["colin"]

    def queries() -> int:
        colin_fresh = type(colin).objects.get(pk=colin.pk)  # no permission cache
        author_fresh = type(author).objects.get(pk=author.pk)
        with CaptureQueriesContext(connection) as captured:
            waiting_for_you(colin_fresh)
            waiting_for_you(author_fresh)
        return len(captured)

    def add(n: int, tag: str):
        for i in range(n):
            campaign_asking(author, area, f"Campaign {tag}{i}")
            back = campaign_asking(author, area, f"Back {tag}{i}")
            campaign_services.campaign_send_back(campaign=back, user=colin, reason="No.")
            release_submitted(newsroom, author, f"Release {tag}{i}")

    add(1, "a")
    few = queries()
    add(7, "b")
    many = queries()
    assert few == many, (few, many)
    assert many <= 20  # both people together, permission look-ups included
    waiting = waiting_for_you(type(colin).objects.get(pk=colin.pk))
    assert waiting["campaigns"]["to_approve_count"] == 8
    assert len(waiting["campaigns"]["to_approve"]) == 5
    assert waiting["releases"]["to_sign_count"] == 8
