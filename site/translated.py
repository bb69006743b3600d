"""Pages in the language being read.

Every listing residents see (areas, news, search, an area's releases and newsletters)
shows each page once: its live translation in the language being read when it has one,
otherwise the page in the site's default language, so a Welsh reader still finds what is
not translated yet. The choice is a filter in the same query, so it adds none.
"""

import threading
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
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


# The locales' codes by id, kept in each process; the shared cache holds a version that
# changes whenever a locale is saved or deleted anywhere, so every web and worker process
# reads them again at its next request or task, not at its next restart.
_LOCALE_CODES: dict[int, str] = {}
LOCALE_CODES_VERSION_KEY = "signpost:locale-codes-version"
_held = {"version": None}
_checked = threading.local()


def _locale_codes(locale_id: int) -> str:
    """A locale's language code by its id (a few rows, added rarely: an id not seen yet
    reads them again). The shared version is compared once a request or task."""
    if not getattr(_checked, "done", False):
        _checked.done = True
        version = cache.get(LOCALE_CODES_VERSION_KEY)
        if version != _held["version"]:
            _LOCALE_CODES.clear()
            _held["version"] = version
    if locale_id not in _LOCALE_CODES:
        _LOCALE_CODES.clear()
        _LOCALE_CODES.update(Locale.objects.values_list("id", "language_code"))
    return _LOCALE_CODES.get(locale_id, default_language())


def locale_codes_recheck(**kwargs) -> None:
    """A request or task starts: compare the shared version again before the next read."""
    _checked.done = False


def locale_codes_drop() -> None:
    """This process reads the codes and the shared version again at its next use."""
    _LOCALE_CODES.clear()
    _held["version"] = None
    _checked.done = False


def locale_codes_forget(**kwargs) -> None:
    """A locale was saved or deleted: this process reads the codes again, and every other
    one does once the change is committed and the shared version moves."""
    locale_codes_drop()
    transaction.on_commit(
        lambda: cache.set(LOCALE_CODES_VERSION_KEY, uuid.uuid4().hex, timeout=None)
    )
