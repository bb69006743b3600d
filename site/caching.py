"""Cache headers for public pages, ready for a CDN in front of the site.

A response is marked ``public`` only when nothing in it can belong to one visitor: a
GET or HEAD that succeeded, for a visitor who is not signed in and carries no session,
that set no cookie and used no CSRF token (so no form with a token is shared), and that
no view marked otherwise (restricted pages carry Wagtail's ``never_cache``). Everything
else served through these doors is ``private``. Publishing purges the CDN's copy
(``wagtail.contrib.frontend_cache``), so the shared lifetime can be longer than the
browser's.
"""

from functools import wraps

from django.conf import settings
from django.utils.cache import patch_cache_control, patch_vary_headers
from wagtail.contrib.frontend_cache.utils import PurgeBatch
from wagtail.models import Page

CACHEABLE_STATUS = {200}


def response_is_shareable(request, response) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and response.status_code in CACHEABLE_STATUS
        and not response.has_header("Cache-Control")
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(request, "is_preview", False)
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and not (hasattr(request, "user") and request.user.is_authenticated)
    )


def cache_headers_apply(request, response):
    """Mark a response shareable (public, with browser and CDN lifetimes) or private."""
    if response.has_header("Cache-Control"):
        return response
    if response_is_shareable(request, response):
        patch_cache_control(
            response,
            public=True,
            max_age=settings.SIGNPOST_PUBLIC_MAX_AGE,
            s_maxage=settings.SIGNPOST_CDN_MAX_AGE,
        )
    else:
        patch_cache_control(response, private=True, no_cache=True)
    patch_vary_headers(response, ["Cookie"])
    return response


def public_cache(view):
    """Give a public view's responses the same cache headers as the site's pages."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response.add_post_render_callback(lambda r: cache_headers_apply(request, r))
            return response
        return cache_headers_apply(request, response)

    return wrapped


def site_pages_purge(*, site) -> None:
    """Purge every live page of a site from the frontend cache."""
    batch = PurgeBatch()
    batch.add_pages(Page.objects.live().descendant_of(site.root_page, inclusive=True).specific())
    batch.purge()


def page_cache_headers(next_serve_page):
    """Every page served gets public or private cache headers (``cache_headers_apply``).
    Registered before Wagtail's own hook, so restricted pages already carry never_cache."""

    def serve(page, request, args, kwargs):
        response = next_serve_page(page, request, args, kwargs)
        if hasattr(response, "add_post_render_callback") and not response.is_rendered:
            response.add_post_render_callback(lambda r: cache_headers_apply(request, r))
            return response
        return cache_headers_apply(request, response)

    return serve
