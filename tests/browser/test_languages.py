"""Translated public pages on a 320 px phone: Welsh and Urdu read in their own language
and direction, the Urdu font comes from the site itself, and axe-core finds nothing
(html-lang-valid and valid-lang among its WCAG 2.2 AA rules)."""

from urllib.parse import urlsplit

import pytest
from signpost.page_translations import translate_page

from newsletters.models import NewsletterPage
from tests.browser.conftest import fits_the_screen
from tests.neighbourhoods.factories import public_site_create

pytestmark = pytest.mark.browser

WELSH = {
    "Eastfield": "Eastfield",
    "Your area": "Eich ardal",
}
URDU = {
    "Eastfield": "ایسٹ فیلڈ",
    "Your area": "آپ کا علاقہ",
}


@pytest.fixture
def translated_site(live_site):
    site = public_site_create()
    translate_page(site.home, "cy", {site.home.title: "Harbridge Mwy Diogel"})
    translate_page(site.home, "ur", {site.home.title: "محفوظ ہاربرج"})
    translate_page(site.index, "cy", WELSH)
    translate_page(site.index, "ur", URDU)
    translate_page(site.eastfield, "cy", WELSH)
    translate_page(site.eastfield, "ur", URDU)
    newsletter = NewsletterPage.objects.get(title="Eastfield update")
    translate_page(newsletter, "cy", {"Eastfield update": "Newyddion Eastfield"})
    translate_page(newsletter, "ur", {"Eastfield update": "ایسٹ فیلڈ کی خبریں"})
    site.extra["newsletter"] = newsletter
    return site


@pytest.mark.parametrize(
    ("code", "direction", "area_heading"),
    [("cy", "ltr", "Eastfield"), ("ur", "rtl", "ایسٹ فیلڈ")],
)
def test_translated_pages_read_in_their_language_on_a_phone(
    phone, translated_site, axe, live_site, code, direction, area_heading
):
    phone.goto(f"/{code}/")
    assert phone.evaluate("document.documentElement.lang") == code
    assert phone.evaluate("getComputedStyle(document.body).direction") == direction
    assert fits_the_screen(phone)
    axe(phone, f"home page ({code})")

    phone.goto(f"/{code}/{urlsplit(translated_site.eastfield.url).path.lstrip('/')}")
    assert phone.get_by_role("heading", level=1).inner_text() == area_heading
    assert fits_the_screen(phone)
    axe(phone, f"area page ({code})")

    # The survey, with its form (a hidden honeypot field must not widen a right-to-left page).
    phone.goto(f"/{code}/survey/{translated_site.wave.slug}/")
    assert phone.evaluate("document.documentElement.lang") == code
    assert fits_the_screen(phone)
    axe(phone, f"survey ({code})")

    # The newsletter as the site publishes it.
    phone.goto(f"/{code}/{urlsplit(translated_site.extra['newsletter'].url).path.lstrip('/')}")
    assert phone.evaluate("document.documentElement.lang") == code
    assert fits_the_screen(phone)
    axe(phone, f"newsletter ({code})")

    # The switcher names English in English, whatever the page's language.
    english = phone.locator('.language-switcher a[hreflang="en-GB"]')
    assert english.inner_text() == "English"
    assert english.get_attribute("lang") == "en-GB"
    if code == "ur":
        phone.evaluate("document.fonts.ready")
        assert phone.evaluate("document.fonts.check('16px \"Noto Naskh Arabic\"', 'اردو')")
        assert phone.evaluate(
            "[...document.fonts].some(f => f.family.includes('Noto Naskh Arabic') && f.status === 'loaded')"
        )
    assert phone.requested_hosts == {urlsplit(live_site.url).netloc}


def test_choosing_welsh_on_a_phone_is_remembered_at_the_front_door(phone, translated_site):
    phone.goto("/")
    phone.get_by_role("link", name="Cymraeg").click()
    phone.wait_for_url("**/cy/")
    assert phone.evaluate("document.documentElement.lang") == "cy"
    phone.goto("/")
    phone.wait_for_url("**/cy/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Harbridge Mwy Diogel"
