"""The admin and the public pages work under the Content-Security-Policy: nothing on
them is blocked (the ``page`` fixture fails a test on any report of it) and the admin's
scripts run."""

import pytest

pytestmark = pytest.mark.browser

ADMIN_PAGES = [
    "/admin/",
    "/admin/pages/",
    "/admin/images/",
    "/admin/images/add/",
    "/admin/documents/",
    "/admin/engagement/stakeholders/",
    "/admin/engagement/stakeholders/add/",
    "/admin/engagement/log/add/",
    "/admin/newsletters/campaigns/new/",
    "/admin/newsletters/subscribers/",
    "/admin/printing/runs/new/",
    "/admin/reports/dashboard/",
    "/admin/reports/",
]


def test_the_admin_works_under_the_policy(page, admin_login, superuser):
    from signpost.models import HomePage

    admin_login(page, superuser)
    home = HomePage.objects.get()
    for path in [
        *ADMIN_PAGES,
        f"/admin/pages/{home.pk}/edit/",
        f"/admin/pages/add/newsletters/newsletterpage/{home.pk}/",
    ]:
        response = page.goto(path)
        assert response.status == 200, path
        assert page.evaluate("typeof window.wagtail") == "object", path


def test_public_pages_work_under_the_policy(phone_page):
    for path in ["/", "/newsletters/subscribe/", "/search/?q=safer"]:
        response = phone_page.goto(path)
        assert response.status == 200, path
        assert "script-src 'self';" in response.headers["content-security-policy"] + ";"


def test_the_email_preview_is_styled_under_the_policy(page, admin_login, comms_officer, tmp_path):
    """The editor's preview in Email mode shows the email styled, as mail programs will,
    and nothing on it is blocked (the ``page`` fixture fails on any report). The panel
    posts the form for preview; the Email mode's response, under its own policy, is
    opened as a page of its own so its styles can be read."""
    from tests.newsletters.factories import make_newsletter

    newsletter = make_newsletter(title="Spring update")
    admin_login(page, comms_officer)
    page.goto(f"/admin/pages/{newsletter.pk}/edit/")
    # Opening the panel posts the form for preview (kept in the session), as editing does.
    with page.expect_response(
        lambda response: "/edit/preview/" in response.url and response.request.method == "POST",
        timeout=45_000,
    ) as posted:
        page.locator("[data-side-panel-toggle='preview']").click()
    assert posted.value.ok
    preview = page.goto(f"/admin/pages/{newsletter.pk}/edit/preview/?mode=email")
    assert preview.status == 200
    assert "style-src" in preview.headers["content-security-policy"]
    heading = page.get_by_role("heading", level=1, name="Spring update")
    styles = heading.evaluate(
        """h => {
            const header = h.ownerDocument.querySelector(".header");
            return {
                h1: getComputedStyle(h).fontSize,
                header: getComputedStyle(header).backgroundColor,
                preheader: getComputedStyle(h.ownerDocument.querySelector(".preheader")).display,
            };
        }"""
    )
    # The email's own styles: 26px title (22px on a narrow panel), the masthead's blue,
    # and the hidden preheader.
    assert styles["h1"] in {"26px", "22px"}
    assert styles["header"] == "rgb(28, 63, 94)"
    assert styles["preheader"] == "none"
    page.screenshot(path=str(tmp_path / "email-preview.png"))
