"""Site search, with results grouped by kind so a resident sees the news, the areas
and the surveys that match at a glance."""

from dataclasses import dataclass, field

from wagtail.models import Page

SEARCH_MAX_RESULTS = 50

# Page types by the heading their results appear under, in the order shown. Types not
# named here appear under "Other pages".
KIND_ORDER = [
    ("neighbourhoods.areapage", "Areas"),
    ("neighbourhoods.areaupdatepage", "Updates in your area"),
    ("engagement.pressreleasepage", "Press releases"),
    ("newsletters.newsletterpage", "Newsletters"),
    ("surveys.surveypage", "Surveys"),
    ("surveys.yousaidwedidpage", "You said, we did"),
]
OTHER_KIND = "Other pages"


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
    matches = list(Page.objects.live().public().specific().search(query)[: SEARCH_MAX_RESULTS + 1])
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


def _slug(label: str) -> str:
    return "results-" + "-".join(label.lower().replace(",", "").split())
