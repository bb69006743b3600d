"""Pagination for listings that reach a force's size: a count that stops at a bound.

Django's ``Paginator`` counts every row the filters match on every page view
(``SELECT COUNT(*)`` over the whole queryset); over a million subscribers or 600,000
audit-log entries that is hundreds of milliseconds a page, growing with the table.
:class:`BoundedCountPaginator` counts at most ``count_bound + 1`` rows
(``SELECT count(*) FROM (SELECT … LIMIT 10001)``), so a page costs the same at any size.
Under the bound the count is exact; over it the listing says "More than 10,000
subscribers", pages run to the bound and the last-page link goes (no one pages past the
200th page of fifty: they filter or search, and the bound applies to the filtered rows
too). Wagtail's listings take it through ``paginator_class``
(https://docs.wagtail.org/en/stable/extending/generic_views.html), which
:class:`BoundedCountMixin` sets.
"""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.translation import gettext, pgettext
from wagtail.admin.paginator import WagtailPaginator

#: Rows counted at most. Counting 10,001 index entries takes a few milliseconds; 10,000 is
#: 200 pages of fifty, more than anyone pages through; and "more than 10,000" still tells
#: a reader the size of what they are looking at.
COUNT_BOUND = 10_000


class BoundedCountPaginator(WagtailPaginator):
    count_bound = COUNT_BOUND

    @cached_property
    def counted(self) -> int:
        """The rows, counted up to one past the bound. A queryset drops its order (any rows
        will do); search results count their slice in the database, as a queryset does."""
        rows = self.object_list
        if isinstance(rows, QuerySet):
            rows = rows.order_by()
        if isinstance(rows, (list, tuple)):
            return min(len(rows), self.count_bound + 1)
        return rows[: self.count_bound + 1].count()

    @cached_property
    def is_over_bound(self) -> bool:
        return self.counted > self.count_bound

    @cached_property
    def count(self) -> int:
        """The rows the pages reach: all of them, or the first ``count_bound``."""
        return min(self.counted, self.count_bound)

    @cached_property
    def items_count_label(self):
        if not self.is_over_bound:
            return super().items_count_label
        return pgettext("listing count", "More than %(count)s %(items)s") % {
            "count": intcomma(self.count_bound),
            "items": self.verbose_name_plural,
        }

    @cached_property
    def matches_label(self):
        """The heading over filtered results when there are more than the bound."""
        return gettext("There are more than %(count)s matches") % {
            "count": intcomma(self.count_bound)
        }

    def get_elided_page_range(self, page_number):
        """Wagtail's page numbers, without a last page when the last is not known."""
        pages = list(super().get_elided_page_range(page_number))
        if not self.is_over_bound or not pages:
            return pages
        if len(pages) > 2 and pages[-2] == self.ELLIPSIS:
            pages.pop()  # the last page link: the true last page is further on
        else:
            pages.append(self.ELLIPSIS)
        return pages


class BoundedCountMixin:
    """For a Wagtail listing view (``BaseListingView``) over a table that can reach
    100,000 rows or more: its count stops at :data:`COUNT_BOUND`."""

    paginator_class = BoundedCountPaginator
    #: What a row is called in the count, singular and plural, where the model's own names
    #: would mislead (the site history mixes pages' and other models' log entries).
    count_names: tuple[str, str] | None = None

    def get_paginator(self, *args, **kwargs):
        paginator = super().get_paginator(*args, **kwargs)
        if self.count_names:
            paginator.verbose_name, paginator.verbose_name_plural = self.count_names
        return paginator
