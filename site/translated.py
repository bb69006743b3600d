"""Pages in the language being read.

Every listing residents see (areas, news, search, an area's releases and newsletters)
shows each page once: its live translation in the language being read when it has one,
otherwise the page in the site's default language, so a Welsh reader still finds what is
not translated yet. The choice is a filter in the same query, so it adds none.
"""

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Page


def reading_language() -> str:
    return get_supported_content_language_variant(translation.get_language())


def default_language() -> str:
    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def in_reading_language(queryset):
    """``queryset`` (of pages) with each page once, in the language being read."""
    active, default = reading_language(), default_language()
    if active == default:
        return queryset.filter(locale__language_code=default)
    translated = Page.objects.filter(locale__language_code=active, live=True).values(
        "translation_key"
    )
    return queryset.filter(
        Q(locale__language_code=active)
        | (Q(locale__language_code=default) & ~Q(translation_key__in=translated))
    )
