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
from wagtail.models import Locale, Page

from .languages import language_for, language_tag


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


def language_attributes(page) -> tuple[str, str] | None:
    """``lang`` and ``dir`` for a page listed among pages in another language (an English
    page on the Welsh home page), so a screen reader reads it in its own voice; None when
    it is in the language being read."""
    code = _locale_codes(page.locale_id)
    if code == reading_language():
        return None
    return language_tag(code), language_for(code).direction


_LOCALE_CODES: dict[int, str] = {}


def _locale_codes(locale_id: int) -> str:
    """A locale's language code by its id, read once a process (a few rows, added rarely:
    an id not seen yet reads them again)."""
    if locale_id not in _LOCALE_CODES:
        _LOCALE_CODES.clear()
        _LOCALE_CODES.update(Locale.objects.values_list("id", "language_code"))
    return _LOCALE_CODES.get(locale_id, default_language())


def locale_codes_forget(**kwargs) -> None:
    _LOCALE_CODES.clear()
