"""Where each language's version of what a resident is reading lives.

The switcher on every public page links to the same page in each language: a page's
live translation, or the language's home page when it has none; a view that is not a page
(the survey, sign-up) has the same address under the language's prefix. Choosing a
language also keeps it in a cookie, so a resident who comes back to the site's root or
scans a printed code reads it in that language again.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import translate_url
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.models import Page, Site

from .languages import language_codes, language_for, languages


def language_links(request, page=None) -> list[dict]:
    """One link a language: its code, its name in itself, its direction, the address of
    this page in it, and whether it is the language being read. Two queries at most."""
    current = translation.get_language()
    path = request.get_full_path() if request is not None else "/"
    by_locale, homes = {}, {}
    if page is not None and getattr(page, "pk", None):
        site = Site.find_for_request(request) if request is not None else None
        keys = [page.translation_key]
        if site is not None:
            keys.append(site.root_page.translation_key)
        for other in (
            Page.objects.filter(translation_key__in=keys).live().public().select_related("locale")
        ):
            found = by_locale if other.translation_key == page.translation_key else homes
            found[other.locale.language_code] = other
    links = []
    for language in languages():
        code = language.code
        if page is not None:
            target = by_locale.get(code) or homes.get(code)
            url = target.get_url(request) if target is not None else None
            if url is None:
                continue
        else:
            url = translate_url(path, code)
        links.append(
            {
                "code": code,
                "name": language.own_name,
                "direction": language.direction,
                "url": url,
                "current": code == current,
            }
        )
    return links


def remembered_language(request) -> str | None:
    """The language a resident chose before, if it is one of the site's."""
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return code if code in language_codes() else None


def choose(request, code: str, next_url: str) -> tuple[str, str | None]:
    """Where to send a resident who chose ``code``, and the cookie's value (None when the
    language is not one of the site's: nothing is kept)."""
    if code not in language_codes():
        code = None
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if code is None:
        return next_url, None
    return next_url, language_for(code).code


class RememberedLanguageMiddleware:
    """Send a resident who chose a language back to it at the site's front door.

    The root address is where printed codes, typed addresses and bookmarks land; a resident
    who chose Welsh or Urdu before is taken to that language's home page, when it is live.
    Every other address says its own language, so a shared link reads the same for all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path_info == "/":
            code = remembered_language(request)
            if code and code != settings.LANGUAGE_CODE:
                home = _live_home(request, code)
                if home is not None:
                    response = HttpResponseRedirect(home)
                    patch_cache_control(response, private=True, no_store=True)
                    return response
        return self.get_response(request)


def _live_home(request, code: str) -> str | None:
    site = Site.find_for_request(request)
    if site is None:
        return None
    home = (
        Page.objects.filter(
            translation_key=site.root_page.translation_key, locale__language_code=code
        )
        .live()
        .first()
    )
    return home.get_url(request) if home is not None else None
