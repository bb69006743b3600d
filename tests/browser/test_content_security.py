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
