"""Admin hooks shared by the whole site: the page chooser shows only what the user may see,
the development mailbox, for superusers, when email is written to files
(signpost.dev_mail), and cache headers on every page served."""

from django.http import Http404
from django.urls import path, reverse
from wagtail import hooks
from wagtail.models import Page

from . import views
from .admin_menu import OutgoingMailMenuItem
from .caching import cache_headers_apply
from .selectors import pages_user_may_see


@hooks.register("construct_page_chooser_queryset")
def page_chooser_shows_what_the_user_may_see(pages, request):
    parent_id = (request.resolver_match.kwargs if request.resolver_match else {}).get(
        "parent_page_id"
    )
    if parent_id and not pages_user_may_see(Page.objects.filter(pk=parent_id), request.user):
        raise Http404  # browsing into a draft would show its title as the heading
    return pages_user_may_see(pages, request.user)


@hooks.register("register_admin_urls")
def register_outgoing_mail_urls():
    return [
        path("outgoing-mail/", views.outgoing_mail, name="signpost_outgoing_mail"),
        path(
            "outgoing-mail/<str:name>/",
            views.outgoing_mail_message,
            name="signpost_outgoing_mail_message",
        ),
    ]


@hooks.register("register_settings_menu_item")
def register_outgoing_mail_menu_item():
    return OutgoingMailMenuItem(
        "Outgoing mail (development)",
        reverse("signpost_outgoing_mail"),
        icon_name="mail",
        order=10_000,
    )


@hooks.register("on_serve_page")
def page_cache_headers(next_serve_page):
    """Every page served gets public or private cache headers (see signpost.caching).
    Registered before Wagtail's own hook, so restricted pages already carry never_cache."""

    def serve(page, request, args, kwargs):
        response = next_serve_page(page, request, args, kwargs)
        if hasattr(response, "add_post_render_callback") and not response.is_rendered:
            response.add_post_render_callback(lambda r: cache_headers_apply(request, r))
            return response
        return cache_headers_apply(request, response)

    return serve
