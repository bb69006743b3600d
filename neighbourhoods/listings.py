"""What the residents' pages show from the rest of the initiative, read in a fixed number
of queries whatever the data: live pages outside every restricted section, the surveys
open now, and an area's operations, newsletter, press releases and "you said, we did".
The page models read through this module, so it imports none of them."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from signpost.translated import in_reading_language
from wagtail.models import Page

from engagement.models import Area, Operation, PressReleasePage
from newsletters.models import NewsletterPage
from surveys.models import SurveyWave, YouSaidWeDidPage

AREA_RELEASES_SHOWN = 3
AREA_YOU_SAID_SHOWN = 3


def private_sections() -> Q:
    """Pages under a view restriction, found in one query, so a page listing several
    kinds of page checks restrictions once rather than once per kind."""
    return Page.objects.private_q()


def visible(queryset, private: Q | None = None):
    """Live pages outside every restricted section, each once, in the language being read
    (its translation, or the default language's page when it has none)."""
    return in_reading_language(
        queryset.live().exclude(private if private is not None else private_sections())
    )


@dataclass
class PostcodeLookup:
    """Where a postcode leads: an area page, an area with no page yet, or nowhere."""

    postcode: str
    area: Area | None = None
    page: Page | None = None


def open_survey_waves(*, area=None, on: datetime.date | None = None):
    """Survey waves taking answers today, on live surveys, optionally in one area."""
    on = on or timezone.localdate()
    waves = (
        SurveyWave.objects.open_on(on)
        .filter(survey__live=True)
        .select_related("survey", "area")
        .order_by("area__name", "closes_on")
    )
    return waves.filter(area=area) if area is not None else waves


@dataclass
class AreaContent:
    updates: list = field(default_factory=list)
    operations: list = field(default_factory=list)
    newsletter: NewsletterPage | None = None
    releases: list = field(default_factory=list)
    you_said_we_did: list = field(default_factory=list)
    waves: list = field(default_factory=list)


def area_content(area: Area, *, updates: list, private: Q) -> AreaContent:
    """Everything an area page shows besides its own updates."""
    operations = list(
        Operation.objects.current().filter(areas=area).exclude(public_summary="").order_by("name")
    )
    newsletter = (
        visible(NewsletterPage.objects, private)
        .filter(Q(area=area) | Q(area__isnull=True))
        .order_by("-first_published_at")
        .first()
    )
    releases = list(
        visible(PressReleasePage.objects, private)
        .filter(area=area)
        .order_by("-first_published_at")[:AREA_RELEASES_SHOWN]
    )
    you_said_we_did = list(
        visible(YouSaidWeDidPage.objects, private)
        .filter(Q(follow_up__area=area) | Q(follow_up__isnull=True, baseline__area=area))
        .order_by("-first_published_at")[:AREA_YOU_SAID_SHOWN]
    )
    return AreaContent(
        updates=updates,
        operations=operations,
        newsletter=newsletter,
        releases=releases,
        you_said_we_did=you_said_we_did,
        waves=list(open_survey_waves(area=area)),
    )
