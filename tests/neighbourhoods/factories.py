"""A small public site for tests: areas with pages, updates, news, a survey and the notices."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from signpost.models import ContentPage, InitiativeSettings, PrivacyNoticePage
from wagtail.models import Site

from engagement.models import NewsroomPage, PressReleasePage
from neighbourhoods.models import AreaIndexPage, AreaPage, AreaUpdatePage
from newsletters.models import NewsletterPage
from surveys.models import SurveyWave, YouSaidWeDidPage
from tests.factories import (
    AreaFactory,
    OperationFactory,
    press_release_sign_off,
    sign_off_team,
)
from tests.surveys.factories import site_root_page, survey_page_create


def publish(page):
    page.save_revision().publish()
    return page


def add(parent, page):
    parent.add_child(instance=page)
    return publish(page)


def area_index_create(home=None):
    home = home or site_root_page()
    return AreaIndexPage.objects.first() or add(
        home, AreaIndexPage(title="Your area", slug="areas", show_in_menus=True)
    )


def area_page_create(area, index=None, **fields):
    index = index or area_index_create()
    fields.setdefault("team_name", f"{area.name} neighbourhood policing team")
    fields.setdefault("team_email", f"{area.slug}.npt@police.example.org")
    return add(index, AreaPage(title=area.name, slug=area.slug, area=area, **fields))


def area_update_create(area_page, title, summary="Officers are patrolling the shops.", **fields):
    return add(area_page, AreaUpdatePage(title=title, summary=summary, **fields))


def newsroom(home=None):
    home = home or site_root_page()
    return NewsroomPage.objects.first() or add(home, NewsroomPage(title="News", slug="news"))


def press_release_create(title, area=None):
    """A release published the only way one can be: signed off by two approvers."""
    writer, reviewer, approver = sign_off_team()
    release = PressReleasePage(
        title=title,
        summary=f"{title}: the story in brief.",
        body=[("paragraph", "<p>What happened.</p>")],
        area=area,
        owner=writer,
        live=False,
    )
    newsroom().add_child(instance=release)
    release.save_revision(user=writer)
    return press_release_sign_off(
        release, submitted_by=writer, reviewed_by=reviewer, approved_by=approver
    )


def newsletter_create(title, area=None, home=None):
    home = home or site_root_page()
    return add(home, NewsletterPage(title=title, introduction=f"About {title}", area=area))


@dataclass
class PublicSite:
    home: object
    index: AreaIndexPage
    eastfield: AreaPage
    canal: AreaPage
    wave: SurveyWave
    you_said: YouSaidWeDidPage
    privacy: PrivacyNoticePage
    accessibility: ContentPage
    extra: dict = field(default_factory=dict)


def public_site_create() -> PublicSite:
    """Two areas with pages (Eastfield has an operation, updates, news, an open survey
    and "you said, we did"), a third area without a page, and the footer's notices."""
    home = site_root_page()
    eastfield_area = AreaFactory(
        name="Eastfield", slug="eastfield", postcode_prefixes="HB4 2, HB4 3"
    )
    canal_area = AreaFactory(name="Canal Quarter", slug="canal-quarter", postcode_prefixes="HB1 5")
    AreaFactory(name="Northgate", slug="northgate", postcode_prefixes="HB2")
    operation = OperationFactory(
        areas=[eastfield_area],
        public_summary="Police and partners are closing down dealing around Eastfield Parade.",
    )
    index = area_index_create(home)
    eastfield = area_page_create(
        eastfield_area, index, team_details="<p>Drop-in at the library, Tuesdays.</p>"
    )
    canal = area_page_create(canal_area, index)
    area_update_create(eastfield, "Evening patrols on the Parade", operation=operation)
    area_update_create(canal, "New towpath lights", summary="Twelve new lights are on.")
    press_release_create("Eleven arrests in Eastfield", area=eastfield_area)
    newsletter_create("Eastfield update", area=eastfield_area, home=home)
    survey = survey_page_create(parent=home)
    today = timezone.localdate()
    baseline = SurveyWave.objects.create(
        survey=survey,
        kind=SurveyWave.BASELINE,
        area=eastfield_area,
        slug="eastfield-before",
        opens_on=today - datetime.timedelta(days=90),
        closes_on=today - datetime.timedelta(days=60),
    )
    wave = SurveyWave.objects.create(
        survey=survey,
        kind=SurveyWave.FOLLOW_UP,
        area=eastfield_area,
        slug="eastfield-after",
        opens_on=today - datetime.timedelta(days=3),
        closes_on=today + datetime.timedelta(days=14),
    )
    you_said = add(
        survey,
        YouSaidWeDidPage(
            title="Eastfield: you said, we did",
            baseline=baseline,
            follow_up=wave,
            you_said="<p>The Parade felt unsafe after school.</p>",
            we_did="<p>Daily patrols from 3pm to 6pm.</p>",
        ),
    )
    privacy = add(home, PrivacyNoticePage(title="Privacy notice", slug="privacy"))
    accessibility = add(
        home,
        ContentPage(
            title="Accessibility statement",
            slug="accessibility",
            body=[("paragraph", "<p>We aim for WCAG 2.2 AA.</p>")],
        ),
    )
    initiative = InitiativeSettings.for_site(Site.objects.get(is_default_site=True))
    initiative.name = "Safer Harbridge"
    initiative.contact_email = "safer@harbridge.example.org"
    initiative.report_information_text = "<p>Call Crimestoppers anonymously on 0800 555 111.</p>"
    initiative.help_with_drugs_text = "<p>Harbridge Recovery Service, 01632 960 456.</p>"
    initiative.privacy_notice_page = privacy
    initiative.accessibility_statement_page = accessibility
    initiative.save()
    return PublicSite(home, index, eastfield, canal, wave, you_said, privacy, accessibility)
