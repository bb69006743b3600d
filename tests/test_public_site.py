"""The public site a resident sees: accessible layout, the home page's sections, a fixed
query budget, the standard doors (search, sitemap, robots, 404)."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from signpost.models import ContentPage, HomePage, InitiativeSettings
from wagtail.models import Page, Site

from engagement.models import Area, Operation

pytestmark = pytest.mark.django_db

# Routing, restrictions, settings and menu, plus the sections: areas, news (three kinds),
# open surveys and the list of areas' address. With the site in several languages, Wagtail
# finds the language being read (its locale) and the switcher finds the page's
# translations and the home page's: one query each.
HOME_QUERY_BUDGET = 18


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


# What makes a browser fetch something, by element: scripts, stylesheets, icons, images,
# media, frames. (A link to another page, or a feed's "alternate" link, fetches nothing.)
FETCHED_ATTRIBUTES = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
FETCHED_LINKS = {"stylesheet", "icon", "preload", "modulepreload", "prefetch", "manifest"}
FETCHED_LINKS |= {"apple-touch-icon", "mask-icon", "dns-prefetch", "preconnect"}


class FetchedAddresses(HTMLParser):
    """Every address a page makes the browser fetch, with the stylesheets among them."""

    def __init__(self):
        super().__init__()
        self.addresses: list[str] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and not FETCHED_LINKS & set((attrs.get("rel") or "").lower().split()):
            return
        for name in FETCHED_ATTRIBUTES.get(tag, ()):
            value = attrs.get(name)
            if not value:
                continue
            found = [part.split()[0] for part in value.split(",") if part.strip()]
            if not name.endswith("srcset"):
                found = [value]
            self.addresses += found
            if tag == "link" and "stylesheet" in attrs.get("rel", "").lower().split():
                self.stylesheets.append(value)

    handle_startendtag = handle_starttag


def is_own(address: str) -> bool:
    """An address on this site: a path, or the site's own host."""
    parts = urlsplit(address.strip())
    return parts.scheme in ("", "http", "https") and parts.netloc in ("", "testserver")


def test_home_page_loads_only_its_own_assets(client, home):
    """No script, stylesheet, font, image or frame from anywhere else: nothing tells a
    third party who reads the site, and a strict Content-Security-Policy holds."""
    page = FetchedAddresses()
    page.feed(client.get("/").content.decode())
    assert page.stylesheets and page.addresses
    assert [address for address in page.addresses if not is_own(address)] == []
    # The stylesheets themselves fetch nothing from elsewhere (fonts, imports, images).
    for address in page.stylesheets:
        path = urlsplit(address).path.removeprefix(settings.STATIC_URL)
        css = Path(finders.find(path)).read_text()
        fetched = re.findall(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", css)
        assert [url for pair in fetched for url in pair if url and not is_own(url)] == []


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


# --- The home page's sections --------------------------------------------------------


def test_a_new_home_page_starts_with_every_section_a_resident_needs():
    page = HomePage(title="New")
    assert [block.block_type for block in page.sections] == [
        "postcode_finder",
        "areas",
        "latest_news",
        "open_surveys",
        "sign_up",
        "report_information",
        "drugs_help",
    ]
    assert page.sections[0].value["heading"] == "What is happening near me?"


def test_home_page_answers_what_is_happening_and_what_can_i_do(client):
    from tests.neighbourhoods.factories import public_site_create

    public_site_create()
    html = client.get("/").content.decode()
    # The postcode box, labelled, sent to the list of areas without JavaScript.
    assert "What is happening near me?" in html
    assert '<form class="postcode-form" action="/areas/" method="get"' in html
    assert '<label for="home-postcode">Your postcode</label>' in html
    # The areas, the latest news of each kind, the open survey, sign-up.
    assert 'href="/areas/eastfield/"' in html and 'href="/areas/canal-quarter/"' in html
    for title in (
        "Evening patrols on the Parade",
        "Eleven arrests in Eastfield",
        "Eastfield update",
    ):
        assert title in html
    assert 'href="/survey/eastfield-after/"' in html
    assert 'href="/survey/eastfield-before/"' not in html
    assert 'href="/newsletters/subscribe/"' in html
    # Passing on information and help with drugs, from the initiative's settings, once.
    assert html.count("Crimestoppers anonymously on 0800 555 111") == 1
    assert html.count("Harbridge Recovery Service, 01632 960 456") == 1


def test_sections_are_reworded_reordered_and_removed_by_the_editor(client):
    from tests.neighbourhoods.factories import public_site_create

    site = public_site_create()
    home = HomePage.objects.get(pk=site.home.pk)
    home.sections = [
        {"type": "sign_up", "value": {"heading": "Hear from us", "button_text": "Join"}},
        {"type": "report_information", "value": {"heading": "Tell us", "text": "<p>Call 101.</p>"}},
    ]
    home.save_revision().publish()
    html = client.get("/").content.decode()
    assert "Hear from us" in html and "Call 101." in html
    assert html.index("Hear from us") < html.index("Tell us")
    assert "What is happening near me?" not in html
    # The footer carries the guidance the sections no longer show.
    assert "Harbridge Recovery Service, 01632 960 456" in html


def test_home_page_query_budget_does_not_grow_with_content(client, django_assert_max_num_queries):
    from tests.factories import AreaFactory
    from tests.neighbourhoods.factories import (
        area_page_create,
        area_update_create,
        newsletter_create,
        press_release_create,
        public_site_create,
    )

    site = public_site_create()
    client.get("/")
    with django_assert_max_num_queries(HOME_QUERY_BUDGET):
        client.get("/")
    for n in range(6):
        area = AreaFactory(name=f"Ward {n}", slug=f"ward-{n}", postcode_prefixes=f"HB9 {n}")
        area_page_create(area, site.index)
        area_update_create(site.eastfield, f"Update number {n}")
        press_release_create(f"Release number {n}", area=area)
        newsletter_create(f"Newsletter number {n}")
    with django_assert_max_num_queries(HOME_QUERY_BUDGET):
        response = client.get("/")
    html = response.content.decode()
    assert html.count('class="news-list__item"') == 5
    assert 'href="/areas/ward-5/"' in html


def test_communications_officer_rewords_the_home_page_in_the_admin(client, home, comms_officer):
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    client.force_login(comms_officer)
    response = client.post(
        f"/admin/pages/{home.pk}/edit/",
        nested_form_data(
            {
                "title": home.title,
                "slug": home.slug,
                "introduction": home.introduction,
                "sections": streamfield(
                    [
                        (
                            "sign_up",
                            {
                                "heading": "Hear what is happening",
                                "text": "",
                                "button_text": "Join the list",
                            },
                        )
                    ]
                ),
                "body": streamfield([]),
                "action-publish": "publish",
            }
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    html = client.get("/").content.decode()
    assert "Hear what is happening" in html and "Join the list" in html


def test_home_page_lists_no_draft_or_restricted_page(client):
    from wagtail.models import PageViewRestriction

    from neighbourhoods.models import AreaUpdatePage
    from tests.neighbourhoods.factories import area_update_create, public_site_create

    site = public_site_create()
    restricted = area_update_create(site.eastfield, "Briefing for partners only")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    site.eastfield.add_child(
        instance=AreaUpdatePage(title="Unpublished draft", summary="x", live=False)
    )
    site.canal.unpublish()
    html = client.get("/").content.decode()
    assert "Briefing for partners only" not in html
    assert "Unpublished draft" not in html
    assert 'href="/areas/canal-quarter/"' not in html
    assert "public" in client.get("/")["Cache-Control"]


# --- the demo's pages agree with one another -----------------------------------------


class _Text(HTMLParser):
    """The text of a page's main content, and its buttons and level-one headings."""

    def __init__(self):
        super().__init__()
        self.main = False
        self.text: list[str] = []
        self.h1: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._open: list[str] = []
        self._href = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.main = True
        if self.main and tag in {"h1", "a"}:
            self._open.append(tag)
            if tag == "a":
                self._href = attrs.get("href", "")
                self.links.append((self._href, ""))

    def handle_endtag(self, tag):
        if tag == "main":
            self.main = False
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if not self.main:
            return
        self.text.append(data)
        if "h1" in self._open:
            self.h1.append(data.strip())
        if "a" in self._open:
            href, label = self.links[-1]
            self.links[-1] = (href, f"{label}{data}".strip())


def page_text(client, path: str) -> _Text:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = _Text()
    parser.feed(response.content.decode())
    parser.text = [" ".join("".join(parser.text).split())]
    return parser


MINUTES_RE = re.compile(r"(\w+) minutes?\b", re.IGNORECASE)


def stated_minutes(text: str) -> set[str]:
    return {m.group(1).lower() for m in MINUTES_RE.finditer(text)}


def test_the_demo_s_public_pages_agree_with_one_another(client, neighbourhood_officer):
    """Home page, each area's page, each survey, its thank-you page, a leaflet and a
    newsletter state one length for the survey, and each area invites its residents to
    its own survey (the demo's one survey runs in Eastfield and, as the comparison area,
    in Northgate)."""
    from neighbourhoods.models import AreaPage
    from newsletters.models import NewsletterPage
    from printing.models import PrintRun, QRTarget
    from surveys.models import SurveyWave

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    waves = list(SurveyWave.objects.filter(survey__live=True).select_related("survey", "area"))
    open_waves = [wave for wave in waves if wave.is_open()]
    assert {wave.area.slug for wave in open_waves} == {"eastfield", "northgate"}
    survey = open_waves[0].survey
    assert {wave.survey_id for wave in open_waves} == {survey.pk}
    length = survey.length_text
    minutes = {str(survey.estimated_minutes)}
    assert stated_minutes(length) == minutes

    home = page_text(client, "/").text[0]
    assert length in home and stated_minutes(home) == minutes

    area_names = set(Area.objects.values_list("name", flat=True))
    for area_page in AreaPage.listed():
        area = area_page.area
        parsed = page_text(client, area_page.url)
        text = parsed.text[0]
        area_waves = [wave for wave in open_waves if wave.area_id == area.pk]
        survey_links = [(href, label) for href, label in parsed.links if "/survey/" in href]
        assert [href for href, _ in survey_links] == [w.public_path for w in area_waves]
        for _href, label in survey_links:
            # The button names its own area, never another.
            assert area.name in label, label
            assert not {name for name in area_names - {area.name} if name in label}, label
        if area_waves:
            assert length in text and stated_minutes(text) == minutes, area.name
        else:
            assert not stated_minutes(text), area.name

    for wave in open_waves:
        form = page_text(client, wave.public_path)
        if wave.requires_code:
            assert "code" in form.text[0].lower()
        else:
            assert length in form.text[0] and stated_minutes(form.text[0]) == minutes
        assert wave.area.name in form.text[0]
        assert not [n for n in area_names - {wave.area.name} if n in " ".join(form.h1)]

        thanks = page_text(client, f"{wave.public_path}thanks/")
        assert len(thanks.h1) == 1, thanks.h1
        assert thanks.text[0].lower().count("thank you") == 1, thanks.text[0]
        sign_up = f"/newsletters/subscribe/?area={wave.area.slug}"
        assert sign_up in [href for href, _ in thanks.links]
        # The sign-up it offers names the area and does not ask for a postcode.
        form_page = client.get(sign_up).content.decode()
        assert wave.area.name in form_page and 'name="postcode"' not in form_page

    leaflets = PrintRun.objects.get(qr_target=QRTarget.SURVEY)
    client.force_login(neighbourhood_officer)
    leaflet = client.get(f"/admin/printing/runs/{leaflets.pk}/preview/")
    leaflet_text = " ".join(re.sub(r"<[^>]+>", " ", leaflet.content.decode()).split())
    assert length in leaflet_text and stated_minutes(leaflet_text) == minutes
    client.logout()

    for newsletter in NewsletterPage.objects.live():
        text = page_text(client, newsletter.url).text[0]
        assert not (stated_minutes(text) - minutes), newsletter.title


def test_home_pages_keeping_the_old_stated_length_are_reworded():
    """The old default of the open-surveys section said "two minutes"; the migration that
    stops the section stating a length rewrites it on the page and its latest version."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "signpost.migrations.0006_open_surveys_text_states_no_length"
    )
    home = HomePage.objects.get()
    sections = [
        (
            b.block_type,
            dict(b.value, text=migration.OLD_TEXT) if b.block_type == "open_surveys" else b.value,
        )
        for b in home.sections
    ]
    home.sections = sections
    home.save_revision().publish()
    migration.forwards(apps, None)
    home = HomePage.objects.get()
    for page in (home, home.get_latest_revision_as_object()):
        [text] = [b.value["text"] for b in page.sections if b.block_type == "open_surveys"]
        assert text == migration.NEW_TEXT
