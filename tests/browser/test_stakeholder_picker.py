"""A neighbourhood officer logs a meeting, finding the stakeholder by typing part of a
name: the form holds only who was chosen, however large the register."""

import pytest

from engagement.models import Engagement
from tests.engagement.factories import StakeholderFactory

pytestmark = pytest.mark.browser


def test_logging_a_meeting_finds_the_stakeholder_by_name(live_site, page, admin_login, make_user):
    from signpost.roles import NEIGHBOURHOOD_TEAM

    officer = make_user(NEIGHBOURHOOD_TEAM)
    wanted = StakeholderFactory(name="Canal Quarter Traders", organisation="Traders' Guild")
    StakeholderFactory(name="Eastfield Mosque")

    admin_login(page, officer)
    page.goto("/admin/engagement/log/add/")
    assert page.locator('input[type=checkbox][name="stakeholders"]').count() == 0
    page.locator("#id_mode").select_option("one_to_one")
    page.locator("#id_title").fill("Meeting the traders")
    page.locator("#id_occurred_on").fill("2026-01-05")
    page.get_by_label("Find a stakeholder to add").fill("canal")
    page.get_by_text("1 match.").wait_for()
    assert "Eastfield Mosque" not in page.locator("[data-picker-results]").inner_text()
    page.get_by_role("checkbox", name="Canal Quarter Traders (Traders' Guild)").check()
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url("**/admin/engagement/log/")
    engagement = Engagement.objects.get(title="Meeting the traders")
    assert list(engagement.stakeholders.all()) == [wanted]
