"""The communications officer re-scores a stakeholder in the admin and sees it move
on the grid."""

import pytest

from engagement.stakeholders.services import stakeholder_assess
from tests.engagement.factories import StakeholderFactory

pytestmark = pytest.mark.browser


def test_rescoring_a_stakeholder_moves_it_on_the_grid(live_site, page, admin_login, make_user):
    from signpost.roles import COMMUNICATIONS_OFFICER

    comms_officer = make_user(COMMUNICATIONS_OFFICER)
    stakeholder = StakeholderFactory(
        name="Spinney Walk Allotment Society", lawful_basis="legitimate_interests"
    )
    stakeholder_assess(stakeholder=stakeholder, interest=1, influence=1, reason="No contact yet")
    point = f'g[data-stakeholder="{stakeholder.pk}"]'

    admin_login(page, comms_officer)
    page.goto("/admin/engagement/grid/")
    assert page.locator(point).get_attribute("data-quadrant") == "watch"
    before = page.locator(f"{point} circle").last.bounding_box()

    page.goto(f"/admin/engagement/stakeholders/edit/{stakeholder.pk}/")
    page.get_by_role("tab", name="Interest and influence").click()
    page.get_by_label("4 – Strong interest", exact=False).check()
    page.get_by_label("2 – Some influence", exact=False).check()
    page.get_by_role("textbox", name="Reason for the scores").fill(
        "Members found drug litter twice this month"
    )
    page.get_by_role("button", name="Save").first.click()
    page.wait_for_url("**/admin/engagement/stakeholders/**")
    assert "interest has risen" in page.content()

    page.goto("/admin/engagement/grid/")
    moved = page.locator(point)
    assert moved.get_attribute("data-quadrant") == "consult"
    assert (moved.get_attribute("data-interest"), moved.get_attribute("data-influence")) == (
        "4",
        "2",
    )
    after = page.locator(f"{point} circle").last.bounding_box()
    # Higher interest is higher up the chart; more influence is further right.
    assert after["y"] < before["y"]
    assert after["x"] > before["x"]
    # The table alternative agrees.
    row = page.locator(f'tr[data-stakeholder="{stakeholder.pk}"]')
    assert "Consult" in row.inner_text()
