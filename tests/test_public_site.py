"""The public site a resident sees: accessible layout, a fixed query budget, the
standard doors (search, sitemap, robots, 404)."""

import pytest
from django.core.management import call_command
from signpost.models import ContentPage, HomePage, InitiativeSettings
from wagtail.models import Page, Site

from engagement.models import Area, Operation

pytestmark = pytest.mark.django_db

HOME_QUERY_BUDGET = 12


@pytest.fixture
def home():
    home = HomePage.objects.get()
    home.title = "Safer Harbridge"
    home.introduction = "Working together to close down drug dealing."
    home.save_revision().publish()
    settings = InitiativeSettings.for_site(Site.objects.get(is_default_site=True))
    settings.name = "Safer Harbridge"
    settings.contact_phone = "01632 960 123"
    settings.save()
    return home


def add_child_page(parent, title, *, in_menu=True):
    child = ContentPage(title=title, introduction=f"About {title}", show_in_menus=in_menu)
    parent.add_child(instance=child)
    child.save_revision().publish()
    return child


def test_home_page_is_accessible_and_branded(client, home):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en-GB"' in html
    assert 'href="#main-content"' in html and 'id="main-content"' in html
    assert (
        "<header" in html and "<main" in html and "<footer" in html and 'aria-label="Main"' in html
    )
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "Safer Harbridge" in html and "01632 960 123" in html
    assert "In an emergency, always call 999." in html


def test_home_page_loads_only_its_own_assets(client, home):
    html = client.get("/").content.decode()
    for marker in ("https://", "http://", "//cdn", "fonts.googleapis"):
        for tag in ('<script src="' + marker, '<link rel="stylesheet" href="' + marker):
            assert tag not in html


def test_home_page_query_budget_does_not_grow_with_menu_items(
    client, home, django_assert_max_num_queries
):
    add_child_page(home, "About the initiative")
    client.get("/")  # warm the site-root cache, as every request after the first finds it
    with django_assert_max_num_queries(HOME_QUERY_BUDGET):
        client.get("/")
    for n in range(6):
        add_child_page(home, f"Update {n}")
    with django_assert_max_num_queries(HOME_QUERY_BUDGET):
        response = client.get("/")
    assert response.content.decode().count('<li><a href="/update-') == 6


def test_menu_lists_pages_shown_in_menus_only(client, home):
    add_child_page(home, "About the initiative")
    add_child_page(home, "Privacy notice", in_menu=False)
    html = client.get("/").content.decode()
    assert 'href="/about-the-initiative/"' in html
    assert 'href="/privacy-notice/"' not in html


def test_missing_page_is_a_friendly_404(client, home):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_robots_txt_points_at_the_sitemap_and_hides_the_admin(client):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_sitemap_lists_live_pages_only(client, home):
    add_child_page(home, "About the initiative")
    draft = ContentPage(title="Draft plan", live=False)
    home.add_child(instance=draft)
    body = client.get("/sitemap.xml").content.decode()
    assert "/about-the-initiative/</loc>" in body
    assert "draft-plan" not in body


def test_search_finds_live_pages_and_handles_odd_input(client, home):
    add_child_page(home, "Treatment services")
    response = client.get("/search/", {"query": "treatment"})
    assert "Treatment services" in response.content.decode()
    assert client.get("/search/", {"query": "x" * 5000}).status_code == 200
    assert client.get("/search/", {"query": "treatment", "page": "not-a-number"}).status_code == 200
    assert client.get("/search/").status_code == 200


def test_demo_data_is_idempotent(settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    counts = (Area.objects.count(), Operation.objects.count(), Page.objects.count())
    call_command("load_demo_data")
    assert (Area.objects.count(), Operation.objects.count(), Page.objects.count()) == counts
    assert Area.objects.count() == 3
    assert Operation.objects.get().areas.count() == 2


def test_demo_data_refuses_to_run_in_production_mode(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    settings.SIGNPOST_ALLOW_DEMO_DATA = False
    with pytest.raises(CommandError, match="only in development"):
        call_command("load_demo_data")
