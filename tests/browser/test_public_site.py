"""A resident's journey on a small phone, and every public page type checked against
WCAG 2.2 AA with axe-core.

axe-core comes from its npm package, pinned in tests/browser/package-lock.json and
installed by ``npm ci --prefix tests/browser`` (CI does this). It is injected into the
page under test by Playwright; visitors are never sent it.
"""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import fits_the_screen, phone_context
from tests.neighbourhoods.factories import public_site_create

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_site):
    return public_site_create()


def test_a_resident_goes_from_postcode_to_area_survey_sign_up_and_you_said_we_did(
    phone, site, axe, live_site
):
    phone.goto("/")
    assert fits_the_screen(phone)
    axe(phone, "home page")

    phone.get_by_label("Your postcode").fill("hb4 2ab")
    phone.get_by_role("button", name="Find my area").click()
    phone.wait_for_url("**/areas/eastfield/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Eastfield"
    assert fits_the_screen(phone)
    axe(phone, "area page")

    phone.get_by_role("link", name="Take the Eastfield survey").click()
    phone.wait_for_url("**/survey/eastfield-after/")
    assert fits_the_screen(phone)
    axe(phone, "survey")
    phone.go_back()

    phone.get_by_role("link", name="Sign up for Eastfield updates").click()
    phone.wait_for_url("**/newsletters/subscribe/?area=eastfield")
    assert phone.get_by_text("You are signing up for news about").is_visible()
    assert fits_the_screen(phone)
    axe(phone, "sign-up")
    phone.go_back()

    phone.get_by_role("link", name="Eastfield: you said, we did").click()
    phone.wait_for_url("**/eastfield-you-said-we-did/")
    assert phone.get_by_role("heading", name="You said", exact=True).is_visible()
    assert fits_the_screen(phone)
    axe(phone, "you said, we did")

    # Nothing was fetched from anywhere but the site itself.
    assert phone.requested_hosts == {urlsplit(live_site.url).netloc}


def test_a_postcode_outside_every_area_gets_an_accessible_answer(phone, site, axe):
    phone.goto("/")
    phone.get_by_label("Your postcode").fill("ZZ9 9ZZ")
    phone.get_by_role("button", name="Find my area").click()
    assert phone.get_by_role("heading", level=1).inner_text() == "ZZ9 9ZZ is outside our areas"
    assert phone.get_by_role("link", name="Get email updates").first.is_visible()
    axe(phone, "postcode outside every area")

    phone.get_by_label("Your postcode").fill("HB4")
    phone.get_by_role("button", name="Find my area").click()
    assert phone.get_by_role("alert").is_visible()
    assert phone.get_by_label("Your postcode").get_attribute("aria-invalid") == "true"
    axe(phone, "postcode error")


@pytest.mark.parametrize(
    "path, label",
    [
        ("/areas/", "list of areas"),
        ("/areas/eastfield/evening-patrols-on-the-parade/", "area update"),
        ("/accessibility/", "content page"),
        ("/privacy/", "privacy notice"),
        ("/search/?query=eastfield", "search results"),
        ("/search/?query=zebra", "search without results"),
        ("/news/", "newsroom"),
        ("/news/eleven-arrests-in-eastfield/", "press release"),
        ("/eastfield-update/", "newsletter"),
        ("/survey/eastfield-before/", "closed survey"),
        ("/survey/eastfield-after/thanks/", "survey thank-you"),
        ("/newsletters/subscribe/", "sign-up"),
        ("/newsletters/subscribe/?area=eastfield", "sign-up for an area"),
        ("/login/", "staff sign-in"),
        ("/no-such-page/", "page not found"),
    ],
)
def test_every_public_page_type_meets_wcag_22_aa_on_a_phone(phone, site, axe, path, label):
    phone.goto(path)
    assert phone.get_by_role("heading", level=1).is_visible()
    assert fits_the_screen(phone), label
    axe(phone, label)


def test_the_sign_in_page_with_an_error_and_the_500_page(phone, site, axe):
    from django.template import loader

    phone.goto("/login/")
    phone.get_by_label("Username").fill("nobody")
    phone.get_by_label("Password").fill("wrong")
    phone.get_by_role("button", name="Sign in").click()
    assert phone.get_by_text("did not match").is_visible()
    axe(phone, "sign-in error")

    html = loader.get_template("500.html").render()
    phone.route(
        "**/server-error/",
        lambda route: route.fulfill(status=500, body=html, content_type="text/html"),
    )
    phone.goto("/server-error/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Sorry, something went wrong"
    assert fits_the_screen(phone)
    axe(phone, "500 page")


def test_staff_pages_send_visitors_to_a_sign_in_page_that_fits_a_phone(
    phone, site, axe, partner_viewer
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from engagement.models import CommunicationPlanPage
    from tests.neighbourhoods.factories import add
    from tests.sign_in import totp_code

    add(
        site.home,
        CommunicationPlanPage(
            title="Communication plan",
            slug="communication-plan",
            aim="Reduce crime.",
            spokesperson_name="Helen Marsh",
            review_date="2030-01-01",
        ),
    )
    phone.goto("/communication-plan/")
    phone.wait_for_url("**/login/?next=/communication-plan/")
    assert fits_the_screen(phone)
    phone.get_by_label("Username").fill(partner_viewer.username)
    phone.get_by_label("Password").fill("correct-horse-battery")
    phone.get_by_role("button", name="Sign in").click()
    # The first sign-in sets up the second factor, on the phone too.
    phone.wait_for_url("**/login/second-factor/enrol/**")
    assert fits_the_screen(phone)
    axe(phone, "second factor enrolment")
    device = TOTPDevice.objects.get(user=partner_viewer, confirmed=False)
    shown = phone.locator("#totp-secret").inner_text().replace(" ", "")
    assert device.config_url.split("secret=")[1].split("&")[0] == shown
    phone.get_by_label("Code from the app").fill(totp_code(device))
    phone.get_by_role("button", name="Confirm").click()
    assert phone.locator("#recovery-codes li").count() == 10
    assert fits_the_screen(phone)
    axe(phone, "recovery codes")
    phone.get_by_role("link", name="Continue to Signpost").click()
    phone.wait_for_url("**/communication-plan/")
    assert phone.url.endswith("/communication-plan/")
    assert phone.get_by_text("Helen Marsh").first.is_visible()


def test_the_postcode_finder_works_with_the_keyboard_alone(phone, site):
    phone.goto("/")
    for _ in range(40):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.id") == "home-postcode":
            break
    else:
        pytest.fail("the postcode box cannot be reached with Tab")
    outline = phone.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # where the keyboard is, is visible
    phone.keyboard.type("HB1 5QT")
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/areas/canal-quarter/")


def test_the_journey_works_without_javascript(browser, live_site, site):
    context = phone_context(browser, live_site, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/")
        page.get_by_label("Your postcode").fill("HB4 3XX")
        page.get_by_role("button", name="Find my area").click()
        page.wait_for_url("**/areas/eastfield/")
        page.get_by_role("link", name="Sign up for Eastfield updates").click()
        page.wait_for_url("**/newsletters/subscribe/?area=eastfield")
    finally:
        context.close()


def test_the_accessibility_check_catches_a_violation(phone, site, axe):
    """The harness itself: an unlabelled field in a page must fail the check."""
    phone.goto("/")
    phone.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', '<input type=text>')"
    )
    with pytest.raises(AssertionError, match="label"):
        axe(phone, "page with an unlabelled field")
