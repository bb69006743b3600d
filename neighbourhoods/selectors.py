"""Reads for the home page: the areas, the latest news and the open surveys, in bounded
queries, the same number whatever the data."""

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _
from wagtail.models import Page

from engagement.models import PressReleasePage
from newsletters.models import NewsletterPage

from .listings import open_survey_waves, private_sections, visible
from .models import AreaIndexPage, AreaPage, AreaUpdatePage


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
        NewsItem(_("Update"), p, p.summary, p.first_published_at)
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
        NewsItem(
            _("Press release"), p, p.summary, p.first_published_at, p.area.name if p.area else ""
        )
        for p in visible(PressReleasePage.objects, private)
        .select_related("area")
        .order_by("-first_published_at")[:limit]
    ]
    newsletters = [
        NewsItem(
            _("Newsletter"), p, p.introduction, p.first_published_at, p.area.name if p.area else ""
        )
        for p in visible(NewsletterPage.objects, private)
        .select_related("area")
        .order_by("-first_published_at")[:limit]
    ]
    items = sorted(updates + releases + newsletters, key=lambda i: i.published_at, reverse=True)
    return items[:limit]


def home_page_content(home) -> dict:
    """The home page's areas, latest news, open surveys and the postcode finder's
    address. The number of news items is the largest any "latest news" section asks for."""
    counts = [block.value["count"] for block in home.sections if block.block_type == "latest_news"]
    private = private_sections()
    index = visible(AreaIndexPage.objects, private).child_of(home).first()
    waves = list(open_survey_waves())
    return {
        "area_index": index,
        "areas": list(AreaPage.listed(private)),
        "news": latest_news(limit=max(counts), private=private) if counts else [],
        "open_waves": waves,
    }
