"""Site search, with results grouped by kind so a resident sees the news, the areas
and the surveys that match at a glance."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page

from .translated import default_language, reading_language

SEARCH_MAX_RESULTS = 50

# Page types by the heading their results appear under, in the order shown. Types not
# named here appear under "Other pages".
KIND_ORDER = [
    ("neighbourhoods.areapage", _("Areas")),
    ("neighbourhoods.areaupdatepage", _("Updates in your area")),
    ("engagement.pressreleasepage", _("Press releases")),
    ("newsletters.newsletterpage", _("Newsletters")),
    ("surveys.surveypage", _("Surveys")),
    ("surveys.yousaidwedidpage", _("You said, we did")),
]
OTHER_KIND = _("Other pages")


@dataclass
class ResultGroup:
    label: str
    slug: str
    results: list = field(default_factory=list)


@dataclass
class GroupedResults:
    groups: list
    count: int
    capped: bool


def search_grouped(query: str) -> GroupedResults:
    """The best matches among live, public pages, grouped by kind."""
    matches = _in_reading_language(query)
    capped = len(matches) > SEARCH_MAX_RESULTS
    matches = matches[:SEARCH_MAX_RESULTS]
    labels = dict(KIND_ORDER)
    groups = {label: ResultGroup(label, _slug(label)) for _key, label in KIND_ORDER}
    groups[OTHER_KIND] = ResultGroup(OTHER_KIND, _slug(OTHER_KIND))
    for page in matches:
        label = labels.get(page._meta.label_lower, OTHER_KIND)
        groups[label].results.append(page)
    return GroupedResults(
        groups=[group for group in groups.values() if group.results],
        count=len(matches),
        capped=capped,
    )


def _in_reading_language(query: str) -> list:
    """The best matches, each page once: in the language being read when it is
    translated, else in the default language (searched together, ranked together)."""
    active, default = reading_language(), default_language()
    locales = dict(
        Locale.objects.filter(language_code__in={active, default}).values_list(
            "language_code", "id"
        )
    )
    pages = Page.objects.live().public().filter(locale_id__in=list(locales.values()))
    limit = (SEARCH_MAX_RESULTS + 1) * (2 if active != default else 1)
    found = list(pages.specific().search(query)[:limit])
    translated = {p.translation_key for p in found if p.locale_id == locales.get(active)}
    if active != default:
        translated |= set(
            Page.objects.live()
            .filter(
                locale_id=locales.get(active),
                translation_key__in={p.translation_key for p in found},
            )
            .values_list("translation_key", flat=True)
        )
    matches = [
        p
        for p in found
        if p.locale_id == locales.get(active) or p.translation_key not in translated
    ]
    return matches[: SEARCH_MAX_RESULTS + 1]


def _slug(label) -> str:
    return "results-" + "-".join(str(label).lower().replace(",", "").split())
