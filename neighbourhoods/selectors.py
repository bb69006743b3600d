"""Reads for the residents' pages: bounded queries, the same number whatever the data."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from wagtail.models import Page

from engagement.models import Area, Operation, PressReleasePage
from newsletters.models import NewsletterPage
from surveys.models import SurveyWave, YouSaidWeDidPage

from .models import AreaIndexPage, AreaPage, AreaUpdatePage

AREA_UPDATES_SHOWN = 5
AREA_RELEASES_SHOWN = 3
AREA_YOU_SAID_SHOWN = 3


def private_sections() -> Q:
    """Pages under a view restriction, found in one query, so a page listing several
    kinds of page checks restrictions once rather than once per kind."""
    return Page.objects.private_q()


def visible(queryset, private: Q | None = None):
    """Live pages outside every restricted section."""
    return queryset.live().exclude(private if private is not None else private_sections())


def area_pages(private: Q | None = None):
    """Live, public area pages with their areas, in name order."""
    return visible(AreaPage.objects, private).select_related("area").order_by("title")


@dataclass
class PostcodeLookup:
    """Where a postcode leads: an area page, an area with no page yet, or nowhere."""

    postcode: str
    area: Area | None = None
    page: AreaPage | None = None


def postcode_lookup(postcode: str) -> PostcodeLookup:
    area = Area.objects.for_postcode(postcode)
    if area is None:
        return PostcodeLookup(postcode=postcode)
    page = area_pages().filter(area=area).first()
    return PostcodeLookup(postcode=postcode, area=area, page=page)


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
class NewsItem:
    """One line of "latest updates and news", whatever kind of page it came from."""

    kind: str
    page: Page
    summary: str
    published_at: datetime.datetime
    area_name: str = ""


def latest_news(*, limit: int = 5, private: Q | None = None) -> list[NewsItem]:
    """The newest area updates, press releases and newsletters together, newest first,
    in a fixed number of queries whatever the data."""
    private = private if private is not None else private_sections()
    updates = [
        NewsItem("Update", p, p.summary, p.first_published_at)
        for p in visible(AreaUpdatePage.objects, private).order_by("-first_published_at")[:limit]
    ]
    parents = (
        {
            p.path: p.title
            for p in AreaPage.objects.filter(
                path__in={u.page.path[: -AreaPage.steplen] for u in updates}
            ).only("path", "title")
        }
        if updates
        else {}
    )
    for item in updates:
        item.area_name = parents.get(item.page.path[: -AreaPage.steplen], "")
    releases = [
        NewsItem("Press release", p, p.summary, p.first_published_at, p.area.name if p.area else "")
        for p in visible(PressReleasePage.objects, private)
        .select_related("area")
        .order_by("-first_published_at")[:limit]
    ]
    newsletters = [
        NewsItem(
            "Newsletter", p, p.introduction, p.first_published_at, p.area.name if p.area else ""
        )
        for p in visible(NewsletterPage.objects, private)
        .select_related("area")
        .order_by("-first_published_at")[:limit]
    ]
    items = sorted(updates + releases + newsletters, key=lambda i: i.published_at, reverse=True)
    return items[:limit]


@dataclass
class AreaContent:
    updates: list = field(default_factory=list)
    operations: list = field(default_factory=list)
    newsletter: NewsletterPage | None = None
    releases: list = field(default_factory=list)
    you_said_we_did: list = field(default_factory=list)
    waves: list = field(default_factory=list)


def area_page_content(page: AreaPage) -> dict:
    """Everything an area page shows, in a fixed number of queries."""
    area = page.area
    private = private_sections()
    updates = list(
        visible(AreaUpdatePage.objects, private)
        .child_of(page)
        .order_by("-first_published_at")[:AREA_UPDATES_SHOWN]
    )
    if area is None:
        return {"area_content": AreaContent(updates=updates)}
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
    return {
        "area_content": AreaContent(
            updates=updates,
            operations=operations,
            newsletter=newsletter,
            releases=releases,
            you_said_we_did=you_said_we_did,
            waves=list(open_survey_waves(area=area)),
        )
    }


def home_page_content(home) -> dict:
    """The home page's areas, latest news, open surveys and the postcode finder's
    address. The number of news items is the largest any "latest news" section asks for."""
    counts = [block.value["count"] for block in home.sections if block.block_type == "latest_news"]
    private = private_sections()
    index = visible(AreaIndexPage.objects, private).child_of(home).first()
    waves = list(open_survey_waves())
    return {
        "area_index": index,
        "areas": list(area_pages(private)),
        "news": latest_news(limit=max(counts), private=private) if counts else [],
        "open_waves": waves,
    }
