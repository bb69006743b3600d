"""Side effects of the residents' pages."""

from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page, Site

from engagement.models import PressReleasePage
from newsletters.models import NewsletterPage
from surveys.models import SurveyPage, YouSaidWeDidPage

from .models import AreaIndexPage, AreaPage, AreaUpdatePage

# Page types whose changes show on the home page, the list of areas or an area page.
SUMMARISED_TYPES = (
    AreaIndexPage,
    AreaPage,
    AreaUpdatePage,
    PressReleasePage,
    NewsletterPage,
    SurveyPage,
    YouSaidWeDidPage,
)


def summary_pages_purge(*, changed: Page) -> list[str]:
    """Purge the home pages, the list of areas and every area page from the frontend
    cache when a page they summarise changes. Returns the addresses purged."""
    if not isinstance(changed.specific_deferred, SUMMARISED_TYPES):
        return []
    batch = PurgeBatch()
    roots = Page.objects.filter(pk__in=Site.objects.values("root_page")).specific()
    batch.add_pages(roots)
    batch.add_pages(AreaIndexPage.objects.live())
    batch.add_pages(AreaPage.objects.live())
    batch.purge()
    return list(batch.urls)
