"""The browser harness itself: a real Chromium against a live server."""

import pytest

pytestmark = pytest.mark.browser


def test_communications_officer_logs_into_the_admin(page, admin_login, comms_officer):
    admin_login(page, comms_officer)
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert "Dashboard" in page.title()


def test_home_page_fits_a_small_phone_and_skip_link_works(phone_page):
    phone_page.goto("/")
    assert phone_page.get_by_role("heading", level=1).is_visible()
    # Nothing wider than the screen: no sideways scrolling on a 360px phone.
    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360
    # The first Tab reaches the skip link, and following it moves focus to the content.
    phone_page.keyboard.press("Tab")
    focused = phone_page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    phone_page.keyboard.press("Enter")
    assert phone_page.evaluate("document.activeElement.id") == "main-content"
