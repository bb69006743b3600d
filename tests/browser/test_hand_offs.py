"""A working day for each role, in a real browser: the hand-offs reach the next person.

- A campaign's author asks for approval; an approver sends it back with a reason; the
  author sees the reason, asks again; another approver approves; each is emailed.
- A press officer submits a release; the co-ordinator approves step 1 and is told the
  spokesperson signs next; the spokesperson signs it off; the author hears of each step.
- A report is issued and the partners who may read it are emailed a link.
"""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core import mail
from signpost import roles

from engagement.models import NewsroomPage, PressReleasePage
from newsletters.models import Campaign
from reports.models import ProgressReport
from reports.services import report_create
from tests.conftest import _watch_content_security, ensure_migrated_data
from tests.factories import AreaFactory
from tests.newsletters.factories import CampaignFactory, SubscriberFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def people(make_user):
    return {
        "author": make_user(
            roles.COMMUNICATIONS_OFFICER, username="nadia", first_name="Nadia", last_name="Okoro"
        ),
        "colin": make_user(
            roles.APPROVER, username="colin", first_name="Colin", last_name="Ordinator"
        ),
        "ana": make_user(
            roles.APPROVER, username="ana", first_name="Ana", last_name="Spokesperson"
        ),
        "tom": make_user(roles.ANALYST, username="tom", first_name="Tom", last_name="Brennan"),
        "priya": make_user(roles.PARTNER_VIEWER, username="priya"),
        "pete": make_user(roles.PARTNER_VIEWER, username="pete"),
    }


@pytest.fixture
def desks(browser, live_site, admin_login):
    """Each person at their own browser, signed in once (an authenticator code is good
    for one sign-in); ``desks(user)`` is their page, on the admin home."""
    opened = {}
    watches: list[list[str]] = []

    def desk(user):
        if user.pk not in opened:
            context = browser.new_context(
                base_url=live_site.url, viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            watches.append(_watch_content_security(page))
            admin_login(page, user)
            opened[user.pk] = page
        else:
            opened[user.pk].goto("/admin/")
        return opened[user.pk]

    yield desk
    for page in opened.values():
        page.context.close()
    assert [message for blocked in watches for message in blocked] == [], (
        "blocked by the Content-Security-Policy"
    )


def messages_text(page) -> str:
    return " ".join(page.locator(".messages").inner_text().split())


def told() -> list[tuple[tuple[str, ...], str]]:
    return [(tuple(sorted(m.to)), m.subject) for m in mail.outbox]


def test_campaign_author_approver_author(desks, people):
    author, colin, ana = people["author"], people["colin"], people["ana"]
    area = AreaFactory(name="Eastfield", slug="eastfield")
    SubscriberFactory.create_batch(2, area=area)
    campaign = CampaignFactory(
        name="March update, Eastfield", created_by=author, areas=[area], subject="News"
    )
    manage = f"/admin/newsletters/campaigns/{campaign.pk}/manage/"
    mail.outbox.clear()

    # The author asks for approval; both approvers are emailed.
    page = desks(author)
    page.goto(manage)
    page.get_by_role("button", name="Request approval").click()
    assert "Approval requested. The Approvers have been emailed." in messages_text(page)
    assert page.locator("[data-campaign-status]").inner_text() == "Awaiting approval"
    assert told() == [
        (("ana@example.org", "colin@example.org"), "Approval requested: March update, Eastfield")
    ]

    # Ana finds it waiting for her on the admin home and sends it back, with a reason.
    mail.outbox.clear()
    page = desks(ana)
    panel = page.locator("[data-waiting-for-you]")
    assert "Campaigns awaiting your approval: 1" in panel.inner_text()
    panel.get_by_role("link", name="March update, Eastfield").click()
    page.get_by_role("link", name="Send back with a reason…").click()
    page.get_by_role("button", name="Send back").click()
    assert "Say what needs to change" in page.locator("[role=alert]").inner_text()
    page.get_by_label("What needs to change").fill("Give the date of the forum meeting.")
    page.get_by_role("button", name="Send back").click()
    assert "Sent back to its author" in messages_text(page)
    assert told() == [(("nadia@example.org",), "Campaign sent back: March update, Eastfield")]
    assert "Give the date of the forum meeting." in mail.outbox[0].body

    # The author sees it sent back, and why, then asks again.
    mail.outbox.clear()
    page = desks(author)
    panel = page.locator("[data-waiting-for-you]")
    assert "Your campaigns sent back to you: 1" in panel.inner_text()
    panel.get_by_role("link", name="March update, Eastfield").click()
    state = page.locator("[data-sign-off-state]").inner_text()
    assert "Sent back by Ana Spokesperson" in state
    assert "Give the date of the forum meeting." in state
    page.screenshot(path="/tmp/handoffs-campaign-sent-back.png", full_page=True)
    page.get_by_role("button", name="Request approval").click()
    assert len(mail.outbox) == 1 and mail.outbox[0].subject.startswith("Approval requested")

    # Colin approves; the author is told and sees who approved it.
    mail.outbox.clear()
    page = desks(colin)
    page.goto(manage)
    page.get_by_role("button", name="Approve for sending").click()
    assert "Campaign approved" in messages_text(page)
    assert told() == [(("nadia@example.org",), "Campaign approved: March update, Eastfield")]
    page = desks(author)
    page.goto(manage)
    assert "Approved by Colin Ordinator on" in page.locator("[data-sign-off-state]").inner_text()
    assert Campaign.objects.get(pk=campaign.pk).status == Campaign.Status.APPROVED


def test_press_officer_approver_spokesperson(desks, people):
    author, colin, ana = people["author"], people["colin"], people["ana"]
    home = ensure_migrated_data()
    newsroom = NewsroomPage(title="News", slug="news", introduction="Releases.")
    home.add_child(instance=newsroom)
    newsroom.save_revision().publish()
    release = PressReleasePage(
        title="Canal Quarter dealing site closed",
        summary="Two closure orders granted.",
        body=[("paragraph", "<p>Eleven warrants were executed.</p>")],
        owner=author,
        live=False,
    )
    newsroom.add_child(instance=release)
    release.save_revision(user=author)
    edit = f"/admin/pages/{release.pk}/edit/"
    title = "Canal Quarter dealing site closed"
    mail.outbox.clear()

    def more_actions():
        page.wait_for_load_state("networkidle")
        page.get_by_role("button", name="More actions").click()

    page = desks(author)
    page.goto(edit)
    more_actions()
    page.get_by_role("button", name="Submit to Press release sign-off").click()
    page.wait_for_url(lambda url: "/edit/" not in url, timeout=60_000)
    assert (
        "Submitted for sign-off: Ana Spokesperson or Colin Ordinator signs step 1 of 2 "
        "(Co-ordinator review)." in messages_text(page)
    )
    assert told() == [
        (("ana@example.org", "colin@example.org"), f"Sign-off needed (step 1 of 2): {title}")
    ]

    mail.outbox.clear()
    page = desks(colin)
    assert (
        "Press releases at your sign-off step: 1"
        in page.locator("[data-waiting-for-you]").inner_text()
    )
    page.goto(edit)
    more_actions()
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_url(lambda url: "/edit/" not in url, timeout=60_000)
    assert (
        "Approved step 1 of 2; Ana Spokesperson signs next (Spokesperson approval)."
        in messages_text(page)
    )
    page.screenshot(path="/tmp/handoffs-release-step-one.png", full_page=True)
    assert sorted(told()) == [
        (("ana@example.org",), f"Sign-off needed (step 2 of 2): {title}"),
        (("nadia@example.org",), f"Step 1 of 2 approved: {title}"),
    ]

    mail.outbox.clear()
    page = desks(ana)
    page.goto(edit)
    more_actions()
    page.get_by_role("button", name="Approve", exact=True).click()
    page.wait_for_url(lambda url: "/edit/" not in url, timeout=60_000)
    assert "Approved step 2 of 2: the release is signed off and published." in messages_text(page)
    assert PressReleasePage.objects.get(pk=release.pk).live
    assert told() == [(("nadia@example.org",), f"Step 2 of 2 approved: {title}")]


def test_a_report_issued_reaches_the_partners(desks, people):
    issuer = people["tom"]  # the analyst
    report = report_create(
        title="Progress report: January",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        commentary="Leaflet drops reached every street.",
        user=people["author"],
    )
    mail.outbox.clear()
    page = desks(issuer)
    page.goto(f"/admin/reports/{report.pk}/")
    page.get_by_role("link", name="Issue to the strategic group").click()
    page.wait_for_load_state("load")
    # Irreversible: a page says what will happen and who will read it, and asks first.
    assert "This cannot be undone." in page.content()
    assert not ProgressReport.objects.get(pk=report.pk).is_issued
    page.get_by_role("button", name="Yes, issue it").click()
    page.wait_for_load_state("load")
    assert "issued" in messages_text(page)
    assert ProgressReport.objects.get(pk=report.pk).is_issued
    (message,) = mail.outbox
    assert message.subject == "Progress report issued: January 2026"
    assert {"priya@example.org", "pete@example.org"} <= set(message.to)
    assert "tom@example.org" not in message.to  # the issuer is not told what they did
    assert "Leaflet drops" not in message.body

    # A partner follows the link, signs in, and reads the issued report.
    link = next(word for word in message.body.split() if "/admin/reports/" in word)
    page = desks(people["priya"])
    page.goto(urlsplit(link).path)
    assert "Leaflet drops reached every street." in page.content()
