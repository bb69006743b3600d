"""Demo residents' pages: the list of areas, a page per area with its neighbourhood team,
plain-words updates, a published "you said, we did" for Eastfield, and the privacy
notice and accessibility statement linked from every footer. Idempotent."""

import datetime

from django.utils import timezone
from signpost import roles
from signpost.demo_translations import URDU, WELSH
from signpost.models import ContentPage, InitiativeSettings, PrivacyNoticePage
from signpost.page_translations import translate_page
from signpost.translated import default_language
from wagtail.models import Locale

from surveys.models import SurveyWave, YouSaidWeDidPage
from surveys.services import you_said_we_did_create

from .models import AreaIndexPage, AreaPage, AreaUpdatePage

TEAMS = {
    "eastfield": {
        "team_name": "Eastfield neighbourhood policing team",
        "team_phone": "101",
        "team_email": "eastfield.npt@harbridge-police.example.org",
        "team_details": (
            "<p>Drop in to meet the team at Eastfield Library, Tuesdays 2pm to 4pm. The "
            "Eastfield community forum meets on the second Thursday of the month at the "
            "Parade community centre.</p>"
        ),
    },
    "canal-quarter": {
        "team_name": "Town centre and canal neighbourhood policing team",
        "team_phone": "101",
        "team_email": "canal.npt@harbridge-police.example.org",
        "team_details": (
            "<p>The team walks the towpath most evenings. Residents' meetings are every "
            "other month at the Wharf Street community room.</p>"
        ),
    },
    "northgate": {
        "team_name": "Northgate neighbourhood policing team",
        "team_phone": "101",
        "team_email": "northgate.npt@harbridge-police.example.org",
        "team_details": "<p>Find the team at the bus station office, weekdays 10am to noon.</p>",
    },
}

# (area slug, slug, title, summary, days ago)
UPDATES = [
    (
        "eastfield",
        "parade-patrols",
        "Evening patrols around Eastfield Parade",
        "Officers are patrolling the Parade shops every day from 3pm to 6pm, when residents "
        "told us dealing was worst. Stop and say hello.",
        4,
    ),
    (
        "eastfield",
        "spinney-walk-clean-up",
        "Spinney Walk clean-up with the council",
        "The council cleared the alley behind Spinney Walk, cut back the hedges and fixed "
        "two street lights, so it is no longer a place to hide.",
        12,
    ),
    (
        "eastfield",
        "why-officers-knocked",
        "Why officers knocked on doors last month",
        "After the warrants last month, officers called on homes nearby to explain what "
        "happened and listen. Thank you to everyone who talked to them.",
        28,
    ),
    (
        "canal-quarter",
        "towpath-lights",
        "New lights on the towpath",
        "Twelve new lights between Lock Lane and the station are on from dusk. Tell us if "
        "any are out.",
        9,
    ),
    (
        "northgate",
        "bus-station-drop-in",
        "A weekly drop-in at the bus station",
        "The Recovery Service is at the bus station office every Wednesday morning: free, "
        "confidential help with drugs, no appointment needed.",
        6,
    ),
]

ACCESSIBILITY_TEXT = [
    (
        "paragraph",
        "<p>We want everyone to be able to use this website. It is built to meet the Web "
        "Content Accessibility Guidelines (WCAG) 2.2 at level AA. You should be able to:</p>"
        "<ul><li>use it on a small phone screen, and zoom to 400% without losing "
        "anything</li><li>use it with only a keyboard, with the place you are always "
        "visible</li><li>use it with a screen reader</li><li>use it without JavaScript</li>"
        "</ul>",
    ),
    ("heading", "How we check"),
    (
        "paragraph",
        "<p>Every kind of public page is checked automatically with axe-core each time the "
        "site changes, on a phone-sized screen, and we test the main journeys with a "
        "keyboard. The site loads nothing from other websites.</p>",
    ),
    ("heading", "What we know is not perfect"),
    (
        "paragraph",
        "<p>Documents uploaded as PDFs, such as older leaflets, may not be fully accessible. "
        "Ask us for the same information in another format.</p>",
    ),
    ("heading", "Tell us about a problem"),
    (
        "paragraph",
        "<p>If something on this website does not work for you, or you need information in "
        "another format (large print, easy read, audio), email "
        "safer@harbridge.example.org or call 01632 960 123. We reply within five working "
        "days.</p>",
    ),
]

PRIVACY_TEXT = [
    ("heading", "Your rights"),
    (
        "paragraph",
        "<p>You can ask for a copy of what we hold about you, ask us to correct it, or ask "
        "us to delete it. You can leave the email updates at any time with the link in every "
        "email. If you are unhappy with how we have used your information you can complain "
        "to the Information Commissioner's Office.</p>",
    ),
    ("heading", "Cookies"),
    (
        "paragraph",
        "<p>Reading this website sets no cookies. A page with a form (a survey or the "
        "email sign-up) sets one cookie that protects the form from misuse; staff who sign "
        "in get a session cookie. We use no tracking or advertising cookies.</p>",
    ),
]


def _publish(page, user=None):
    page.save_revision(user=user).publish(user=user)


def _child(parent, model, slug, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is not None:
        return page, False
    page = model(slug=slug, **fields)
    parent.add_child(instance=page)
    return page, True


def load(demo) -> None:
    comms = demo.users.get(roles.COMMUNICATIONS_OFFICER)
    index, made = _child(
        demo.home,
        AreaIndexPage,
        "areas",
        title="Your area",
        show_in_menus=True,
    )
    if made:
        _publish(index, comms)
    pages = {}
    for slug, area in demo.areas.items():
        page = AreaPage.objects.filter(area=area, locale__language_code=default_language()).first()
        if page is None:
            page, _ = _child(
                index, AreaPage, slug, title=area.name, area=area, **TEAMS.get(slug, {})
            )
            _publish(page, comms)
        pages[slug] = page
    now = timezone.now()
    for area_slug, slug, title, summary, days_ago in UPDATES:
        update, made = _child(
            pages[area_slug],
            AreaUpdatePage,
            slug,
            title=title,
            summary=summary,
            operation=demo.operation if area_slug != "northgate" else None,
        )
        if made:
            _publish(update, comms)
            AreaUpdatePage.objects.filter(pk=update.pk).update(
                first_published_at=now - datetime.timedelta(days=days_ago)
            )
    _you_said_we_did(demo, comms)
    _notices(demo, comms)
    demo.say(f"Residents' pages: {len(pages)} areas, {len(UPDATES)} updates, /areas/")
    _translations(demo, comms, index, pages["northgate"])


def _translations(demo, comms, index, northgate) -> None:
    """The areas' index and Northgate's page in Welsh and Urdu (the home page is
    translated first of all, in signpost's demo), through wagtail-localize, the first
    time only: a translation someone has edited is theirs."""
    made = []
    for code, strings in (("cy", WELSH), ("ur", URDU)):
        for page in (index, northgate):
            if page.get_translation_or_none(Locale.objects.get_or_create(language_code=code)[0]):
                continue
            translate_page(page, code, strings, user=comms)
            made.append(code)
    if made:
        demo.say("Areas and Northgate pages in Welsh (/cy/areas/) and Urdu (/ur/areas/)")


def _you_said_we_did(demo, comms) -> None:
    baseline = SurveyWave.objects.filter(slug="eastfield-before").first()
    follow_up = SurveyWave.objects.filter(slug="eastfield-after").first()
    if baseline is None or follow_up is None:
        return
    if YouSaidWeDidPage.objects.filter(follow_up=follow_up).exists():
        return
    page = you_said_we_did_create(
        baseline=baseline,
        follow_up=follow_up,
        title="Eastfield: you said, we did",
        you_said="<p>Dealing outside the Parade shops after school, and the alley behind "
        "Spinney Walk, made you feel unsafe after dark.</p>",
        we_did="<p>Daily patrols from 3pm to 6pm, the alley cleared and lit, and a weekly "
        "treatment drop-in at the library.</p>",
        what_changed="More people now say they feel safe after dark. How big a problem drugs "
        "are seen to be has not changed yet.",
        user=comms,
    )
    page.get_latest_revision().publish(user=demo.users.get(roles.APPROVER))


def _notices(demo, comms) -> None:
    privacy, made = _child(
        demo.home,
        PrivacyNoticePage,
        "privacy",
        title="Privacy notice",
        introduction="What this website holds about residents, why, and for how long.",
        body=PRIVACY_TEXT,
    )
    if made:
        _publish(privacy, comms)
    statement, made = _child(
        demo.home,
        ContentPage,
        "accessibility",
        title="Accessibility statement",
        introduction="How accessible this website is, and how to tell us about a problem.",
        body=ACCESSIBILITY_TEXT,
    )
    if made:
        _publish(statement, comms)
    # Filled once, when the loader made the pages: an edited setting is kept.
    if made:
        initiative = InitiativeSettings.for_site(demo.site)
        initiative.data_controller = "Harbridge Borough Council, for the Safer Harbridge partners"
        initiative.data_protection_contact = "dataprotection@harbridge.example.org"
        initiative.privacy_notice_page = privacy
        initiative.accessibility_statement_page = statement
        initiative.save()
