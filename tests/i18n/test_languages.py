"""Residents read the site in English, Welsh or Urdu: the address says which, each page
says its language and direction, and the switcher names each language in itself."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from signpost.models import HomePage

from .helpers import translate_page

ROOT = Path(settings.BASE_DIR)


@pytest.fixture
def home(db):
    home = HomePage.objects.get()
    home.title = "Safer Harbridge"
    home.save_revision().publish()
    return home


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_english_pages_keep_their_addresses_and_say_en_gb(client, home):
    response = client.get("/")
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="en-GB" dir="ltr" class="no-js">'
    # No other language has a home page yet: no switcher offering pages that do not exist.
    assert "language-switcher" not in response.content.decode()


def test_a_welsh_page_is_served_under_cy_in_welsh(client, home):
    translate_page(home, "cy", title="Harbridge Mwy Diogel")
    response = client.get("/cy/")
    html = response.content.decode()
    assert response.status_code == 200
    assert html_tag(response) == '<html lang="cy" dir="ltr" class="no-js">'
    assert "Harbridge Mwy Diogel" in html
    assert "Neidio i'r prif gynnwys" in html  # the site's own text, from locale/cy
    assert "Mewn argyfwng, ffoniwch 999 bob tro." in html


def test_an_urdu_page_is_right_to_left_with_the_site_s_own_font(client, home):
    translate_page(home, "ur", title="محفوظ ہاربرج")
    response = client.get("/ur/")
    html = response.content.decode()
    assert html_tag(response) == '<html lang="ur" dir="rtl" class="no-js">'
    assert "/static/signpost/css/fonts.css" in html
    fonts = (ROOT / "site/static/signpost/css/fonts.css").read_text()
    assert 'font-family: "Noto Naskh Arabic"' in fonts
    assert "NotoNaskhArabic-Regular.ttf" in fonts
    assert (
        ROOT / "site/static/signpost/fonts/NotoNaskhArabic-Regular.ttf"
    ).stat().st_size > 100_000
    assert "//" not in re.sub(r"/\*.*?\*/", "", fonts, flags=re.S).replace("../fonts/", "")


def test_the_switcher_names_each_language_in_itself_and_links_its_translation(client, home):
    translate_page(home, "cy", title="Harbridge Mwy Diogel")
    translate_page(home, "ur", title="محفوظ ہاربرج")
    html = client.get("/").content.decode()
    switcher = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    assert (
        '<span class="language-switcher__current" lang="en-GB" dir="ltr" aria-current="true">English</span>'
        in switcher
    )
    assert 'hreflang="cy" lang="cy" dir="ltr">Cymraeg</a>' in switcher
    assert 'hreflang="ur" lang="ur" dir="rtl">اردو</a>' in switcher
    assert "language=cy&amp;next=/cy/" in switcher


def test_a_page_without_a_translation_offers_that_language_s_home(client, home):
    from tests.test_public_site import add_child_page

    about = add_child_page(home, "About the initiative")
    translate_page(home, "cy", title="Harbridge Mwy Diogel")
    html = client.get(about.url).content.decode()
    assert "language=cy&amp;next=/cy/" in html
    assert 'lang="ur"' not in html  # no Urdu page at all: Urdu is not offered


def test_choosing_a_language_keeps_it_and_the_front_door_remembers(client, home):
    translate_page(home, "cy", title="Harbridge Mwy Diogel")
    response = client.get("/i18n/setlang/?language=cy&next=/cy/")
    assert response.status_code == 302 and response["Location"] == "/cy/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "cy" and cookie["httponly"] and cookie["samesite"] == "Lax"
    again = client.get("/")
    assert again.status_code == 302 and again["Location"] == "/cy/"
    assert "no-store" in again["Cache-Control"]
    # An English address other than the front door stays English for everyone.
    assert html_tag(client.get("/newsletters/subscribe/")).startswith('<html lang="en-GB"')
    assert html_tag(client.get("/cy/newsletters/subscribe/")).startswith('<html lang="cy"')


def test_a_shared_cache_keeps_the_front_door_apart_for_a_reader_who_chose_a_language(client, home):
    """The front door is cached publicly for a visitor with no language chosen; a CDN must
    not hand that English copy to a Welsh reader, whose cookie asks for a redirect."""
    translate_page(home, "cy", title="Harbridge Mwy Diogel")
    english = client.get("/")
    assert english.status_code == 200 and "public" in english["Cache-Control"]
    assert "Cookie" in [v.strip() for v in english["Vary"].split(",")]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    welsh = client.get("/")
    assert welsh.status_code == 302 and welsh["Location"] == "/cy/"
    assert "public" not in welsh["Cache-Control"] and "no-store" in welsh["Cache-Control"]


def test_the_front_door_does_not_send_anyone_to_a_language_with_no_home(client, home):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ur"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "language=cy&next=https://evil.example/",
        "language=cy&next=//evil.example/",
        "language=xx&next=/",
        "language=&next=/",
    ],
)
def test_choosing_a_language_never_leaves_the_site_or_keeps_an_unknown_one(client, home, query):
    response = client.get(f"/i18n/setlang/?{query}")
    assert response.status_code == 302
    assert response["Location"] == "/" or response["Location"] == "/cy/"
    assert not response["Location"].startswith("//")
    if "language=cy" not in query:
        assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_choosing_a_language_is_a_link_not_a_change_of_state(client, home):
    assert client.post("/i18n/setlang/?language=cy&next=/").status_code == 405


def catalogues():
    return sorted(
        p for p in ROOT.glob("**/locale/*/LC_MESSAGES/django.po") if ".venv" not in p.parts
    )


def test_every_catalogue_is_complete_and_compiled():
    """Each language's catalogue has every string translated (nothing fuzzy), and the .mo
    beside it, which the site reads, was compiled from it."""
    found = catalogues()
    assert {p.parts[-3] for p in found} == {"cy", "ur"}
    for path in found:
        po = polib.pofile(str(path))
        assert po.untranslated_entries() == [] and po.fuzzy_entries() == [], path
        mo = polib.mofile(str(path.with_suffix(".mo")))
        compiled = {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
        }
        source = {
            (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in po.translated_entries()
        }
        assert compiled == source, f"{path}: run `make messages` to compile it again"


@pytest.fixture
def public_site(db):
    from tests.neighbourhoods.factories import public_site_create

    return public_site_create()


def test_listings_show_each_page_once_in_the_language_being_read(client, public_site):
    """The Welsh list of areas shows Eastfield's Welsh page and Canal Quarter's English one
    (it has no translation), marked as English for screen readers; never both of a pair."""
    translate_page(public_site.home, "cy", title="Harbridge Mwy Diogel")
    translate_page(public_site.index, "cy", title="Eich ardal")
    translate_page(public_site.eastfield, "cy", title="Dwyrain y Maes")
    html = client.get("/cy/areas/").content.decode()
    cards = re.findall(
        r'<li class="card"([^>]*)>\s*<h3 class="card__title"><a href="([^"]+)">([^<]+)</a>', html
    )
    assert [(title, attrs.strip()) for attrs, _url, title in cards] == [
        ("Canal Quarter", 'lang="en-GB" dir="ltr"'),
        ("Dwyrain y Maes", ""),
    ]
    # English readers see the English pages only.
    english = client.get("/areas/").content.decode()
    assert "Dwyrain y Maes" not in english and "Eastfield" in english


def test_search_finds_the_page_in_the_language_being_read(client, public_site):
    translate_page(public_site.eastfield, "cy", title="Eastfield yn Gymraeg")
    welsh = client.get("/cy/search/", {"query": "Eastfield"}).content.decode()
    english = client.get("/search/", {"query": "Eastfield"}).content.decode()
    assert "Eastfield yn Gymraeg" in welsh
    assert ">Eastfield</a>" not in welsh
    assert "Eastfield yn Gymraeg" not in english


def test_a_second_page_for_an_area_in_the_same_language_is_refused(public_site):
    from django.core.exceptions import ValidationError

    from neighbourhoods.models import AreaPage

    twin = AreaPage(
        title="Eastfield again", slug="eastfield-again", area=public_site.eastfield.area
    )
    twin.locale_id = public_site.eastfield.locale_id
    with pytest.raises(ValidationError, match="already has a page in this language"):
        twin.clean()
    welsh = translate_page(public_site.eastfield, "cy", title="Dwyrain y Maes")
    welsh.clean()  # its own translation is not a second page


def test_the_welsh_home_page_costs_what_the_english_one_does(
    client, public_site, django_assert_max_num_queries
):
    from tests.test_public_site import HOME_QUERY_BUDGET

    translate_page(public_site.home, "cy", title="Harbridge Mwy Diogel")
    translate_page(public_site.index, "cy", title="Eich ardal")
    translate_page(public_site.eastfield, "cy", title="Dwyrain y Maes")
    client.get("/cy/")
    # Beyond the English page's: the menu's root in Welsh, and the locales' codes for
    # marking English pages listed on it (read once a process; each test starts afresh).
    with django_assert_max_num_queries(HOME_QUERY_BUDGET + 3):
        response = client.get("/cy/")
    assert "Dwyrain y Maes" in response.content.decode()


def test_a_language_code_edited_in_another_process_is_read_at_the_next_request(
    client, public_site, django_capture_on_commit_callbacks
):
    """Each web and worker process keeps the locales' codes; one that saves a locale moves
    the shared version, and the others read the codes again at their next request."""
    from django.core.cache import cache
    from signpost import translated
    from wagtail.models import Locale

    translate_page(public_site.home, "cy", title="Harbridge Mwy Diogel")
    translate_page(public_site.index, "cy", title="Eich ardal")
    english = Locale.objects.get(language_code="en-gb")
    client.get("/cy/areas/")
    # This process still holds the code English had before another process edited it.
    translated._LOCALE_CODES[english.pk] = "ur"
    assert 'lang="ur" dir="rtl"' in client.get("/cy/areas/").content.decode()
    # The other process saves the locale: the shared version moves once it commits.
    before = cache.get(translated.LOCALE_CODES_VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        english.save()
    moved = cache.get(translated.LOCALE_CODES_VERSION_KEY)
    assert moved is not None and moved != before
    translated._LOCALE_CODES[english.pk] = "ur"  # that save was not seen in this process
    translated._held["version"] = before
    html = client.get("/cy/areas/").content.decode()
    assert 'lang="ur"' not in html.split("<body", 1)[1]
    assert 'lang="en-GB" dir="ltr"' in html
