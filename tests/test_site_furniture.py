"""Site furniture: staff sign-in in the site's own style, search grouped by kind, the
404 and 500 pages, breadcrumbs, the footer's notices, cache headers and CDN purges."""

import pytest
from django.template import loader
from django.test import override_settings
from signpost.models import HomePage
from wagtail.contrib.frontend_cache.backends.base import BaseBackend
from wagtail.models import PageViewRestriction

from engagement.models import CommunicationPlanPage
from tests.neighbourhoods.factories import (
    add,
    area_update_create,
    public_site_create,
)
from tests.sign_in import authenticator, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def site():
    return public_site_create()


@pytest.fixture
def plan(site):
    return add(
        site.home,
        CommunicationPlanPage(
            title="Communication plan",
            slug="communication-plan",
            aim="Reduce crime.",
            spokesperson_name="Helen Marsh",
            review_date="2030-01-01",
        ),
    )


# --- Staff pages send visitors to the site's own sign-in page ---------------------------


def test_a_staff_page_sends_a_visitor_to_the_sites_own_sign_in(client, plan):
    response = client.get("/communication-plan/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/communication-plan/"
    login = client.get(response["Location"])
    html = login.content.decode()
    assert login.status_code == 200
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    assert '<label for="id_username">Username</label>' in html
    assert 'autocomplete="current-password"' in html
    assert "private" in login["Cache-Control"]


def test_signing_in_returns_the_partner_to_the_page_they_asked_for(client, plan, partner_viewer):
    form = client.get("/login/?next=/communication-plan/").content.decode()
    assert '<input type="hidden" name="next" value="/communication-plan/">' in form
    assert 'action="/login/?next=/communication-plan/"' in form
    response = client.post(
        "/login/?next=/communication-plan/",
        {
            "username": partner_viewer.username,
            "password": "correct-horse-battery",
            "next": "/communication-plan/",
        },
    )
    step = "/login/second-factor/?next=%2Fcommunication-plan%2F"
    assert response.status_code == 302 and response["Location"] == step
    # The password alone does not open the private page: it asks again.
    assert client.get("/communication-plan/")["Location"].startswith("/login/")
    code = totp_code(authenticator(partner_viewer))
    response = client.post(step, {"otp_token": code, "next": "/communication-plan/"})
    assert response.status_code == 302 and response["Location"] == "/communication-plan/"
    page = client.get("/communication-plan/")
    assert page.status_code == 200
    assert "Helen Marsh" in page.content.decode()
    assert "public" not in page["Cache-Control"]


def test_a_wrong_password_is_explained_and_nothing_is_revealed(client, plan, partner_viewer):
    response = client.post("/login/", {"username": partner_viewer.username, "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your username and password did not match" in html
    assert "_auth_user_id" not in client.session


def test_sign_in_refuses_to_send_people_to_another_site(client, partner_viewer):
    response = client.post(
        "/login/",
        {
            "username": partner_viewer.username,
            "password": "correct-horse-battery",
            "next": "https://evil.example.com/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/login/second-factor/?next=%2Fadmin%2F"
    # Nor does the second-factor step, whatever it is given.
    code = totp_code(authenticator(partner_viewer))
    response = client.post(
        "/login/second-factor/", {"otp_token": code, "next": "https://evil.example.com/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_sign_in_attempts_are_rate_limited(client, partner_viewer, settings):
    """The page's own per-client cap, beside the lockout (tests/test_sign_in.py), which is
    set out of the way here."""
    from signpost.views import LOGIN_ATTEMPTS_PER_HOUR

    settings.AXES_FAILURE_LIMIT = 1000

    for _ in range(LOGIN_ATTEMPTS_PER_HOUR):
        client.post("/login/", {"username": partner_viewer.username, "password": "guess"})
    response = client.post(
        "/login/", {"username": partner_viewer.username, "password": "correct-horse-battery"}
    )
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_password_protected_page_asks_in_the_sites_own_style(client, site):
    PageViewRestriction.objects.create(
        page=site.accessibility, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    response = client.get("/accessibility/")
    html = response.content.decode()
    assert "This page needs a password" in html and 'class="site-header"' in html
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-cache", "no-store"} <= cache_control


def test_a_restricted_page_never_appears_in_search(client, plan):
    html = client.get("/search/", {"query": "communication plan"}).content.decode()
    assert "/communication-plan/" not in html


# --- Search ---------------------------------------------------------------------------


def test_search_is_labelled_and_groups_results_by_kind(client, site):
    html = client.get("/search/", {"query": "eastfield"}).content.decode()
    assert (
        '<label for="site-search-query" class="site-search__label">Search this site</label>' in html
    )
    assert '<label for="search-page-query">Search for</label>' in html
    for heading in ("Areas", "Press releases", "Newsletters", "You said, we did"):
        assert f">{heading}</h3>" in html
    assert html.index(">Areas</h3>") < html.index(">Press releases</h3>")
    assert 'href="/areas/eastfield/"' in html


def test_search_with_no_match_suggests_what_to_do(client, site):
    html = client.get("/search/", {"query": "zebra crossing"}).content.decode()
    assert "Nothing matched" in html and 'href="/"' in html


# --- 404, 500, breadcrumbs, footer ------------------------------------------------------


def test_an_unknown_address_gets_the_sites_404_page(client, site):
    response = client.get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and 'class="site-header"' in html
    assert 'href="/newsletters/subscribe/"' in html


def test_the_500_page_needs_no_database_and_has_no_inline_style(django_assert_num_queries):
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "Sorry, something went wrong" in html
    assert "/static/signpost/css/signpost.css" in html
    assert "<style" not in html and "style=" not in html and "<script" not in html


def test_breadcrumbs_show_where_a_page_sits(client, site):
    html = client.get("/areas/eastfield/evening-patrols-on-the-parade/").content.decode()
    crumbs = html.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert 'href="/">Home</a>' in crumbs
    assert 'href="/areas/">Your area</a>' in crumbs
    assert 'href="/areas/eastfield/">Eastfield</a>' in crumbs
    assert '<li aria-current="page">Evening patrols on the Parade</li>' in crumbs
    assert 'aria-label="Breadcrumb"' not in client.get("/").content.decode()


def test_footer_links_the_notices_chosen_in_the_initiatives_settings(client, site):
    html = client.get("/areas/eastfield/").content.decode()
    footer = html.split('<footer class="site-footer">', 1)[1]
    assert 'href="/privacy/">Privacy notice</a>' in footer
    assert 'href="/accessibility/">Accessibility statement</a>' in footer
    assert "safer@harbridge.example.org" in footer
    site.privacy.unpublish()
    assert 'href="/privacy/"' not in client.get("/areas/eastfield/").content.decode()


def test_privacy_notice_says_what_is_held_from_the_settings_in_force(client, site, settings):
    settings.SIGNPOST_UNCONFIRMED_PURGE_DAYS = 9
    settings.SURVEYS_SUPPRESSION_THRESHOLD = 12
    html = client.get("/privacy/").content.decode()
    assert "deleted after 9 days" in html
    assert "fewer than 12 answers" in html
    assert "never holds records of offenders, suspects or people in treatment" in html
    assert "mailto:safer@harbridge.example.org" in html  # no separate data-protection contact


def test_templates_keep_to_a_strict_content_security_policy(client, site):
    for url in ("/", "/areas/", "/areas/eastfield/", "/search/?query=eastfield", "/privacy/"):
        html = client.get(url).content.decode()
        assert "style=" not in html, url
        assert "<script" not in html, url


# --- Cache headers and CDN purges -------------------------------------------------------


def test_public_pages_may_be_cached_by_browsers_and_a_cdn(client, site, settings):
    for url in ("/", "/areas/", "/areas/eastfield/", "/search/?query=eastfield"):
        response = client.get(url)
        assert response["Cache-Control"] == (
            f"public, max-age={settings.SIGNPOST_PUBLIC_MAX_AGE}, "
            f"s-maxage={settings.SIGNPOST_CDN_MAX_AGE}"
        ), url
        assert "Cookie" in response["Vary"]
        assert not response.cookies


def test_nothing_personal_or_with_a_form_token_is_cached_publicly(client, site, comms_officer):
    survey = client.get("/survey/eastfield-after/")
    assert "public" not in survey.get("Cache-Control", "")
    password = client.get("/admin/login/")
    assert "public" not in password.get("Cache-Control", "")
    client.force_login(comms_officer)
    signed_in = client.get("/")
    assert set(signed_in["Cache-Control"].split(", ")) == {"no-cache", "private"}


class RecordingPurgeBackend(BaseBackend):
    """A frontend cache that remembers what it was told to purge."""

    purged: list = []

    def purge(self, url):
        self.purged.append(url)

    def purge_batch(self, urls):
        self.purged.extend(urls)


def test_publishing_an_update_purges_the_pages_that_summarise_it(site):
    RecordingPurgeBackend.purged = []
    cache = {"default": {"BACKEND": "tests.test_site_furniture.RecordingPurgeBackend"}}
    with override_settings(WAGTAILFRONTENDCACHE=cache):
        update = area_update_create(site.eastfield, "Skip collection on Larch Close")
    purged = set(RecordingPurgeBackend.purged)
    home_url = HomePage.objects.get().full_url
    assert {
        home_url,
        site.index.full_url,
        site.eastfield.full_url,
        site.canal.full_url,
        update.full_url,
    } <= purged


def test_changing_the_initiatives_settings_purges_every_page(site):
    from signpost.models import InitiativeSettings
    from wagtail.models import Site

    RecordingPurgeBackend.purged = []
    cache = {"default": {"BACKEND": "tests.test_site_furniture.RecordingPurgeBackend"}}
    with override_settings(WAGTAILFRONTENDCACHE=cache):
        initiative = InitiativeSettings.for_site(Site.objects.get(is_default_site=True))
        initiative.contact_phone = "01632 960 999"
        initiative.save()
    purged = set(RecordingPurgeBackend.purged)
    assert {
        site.privacy.full_url,
        site.eastfield.full_url,
        HomePage.objects.get().full_url,
    } <= purged


def test_no_cdn_is_configured_by_default(settings):
    from wagtail.contrib.frontend_cache.utils import get_backends

    assert get_backends() == {}
