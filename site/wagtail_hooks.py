"""Admin hooks shared by the whole site: the page chooser shows only what the user may see,
the development mailbox, for superusers, when email is written to files
(signpost.dev_mail), and cache headers on every page served."""

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from . import admin_views
from .caching import cache_headers_apply

EDITING = ["change", "publish"]


def pages_user_may_see(pages, user):
    """Live pages, and pages not live (drafts, releases under embargo) only for those who
    may edit them: a title can say more than a press release is ready to."""
    if user.is_superuser:
        return pages
    editable = PagePermissionPolicy().instances_user_has_any_permission_for(user, EDITING)
    return pages.filter(Q(live=True) | Q(pk__in=editable.values("pk")))


@hooks.register("construct_page_chooser_queryset")
def page_chooser_shows_what_the_user_may_see(pages, request):
    parent_id = (request.resolver_match.kwargs if request.resolver_match else {}).get(
        "parent_page_id"
    )
    if parent_id and not pages_user_may_see(Page.objects.filter(pk=parent_id), request.user):
        raise Http404  # browsing into a draft would show its title as the heading
    return pages_user_may_see(pages, request.user)


def mailbox_in_use() -> bool:
    return settings.EMAIL_BACKEND == "signpost.dev_mail.EmailBackend"


class OutgoingMailMenuItem(MenuItem):
    def is_shown(self, request):
        return mailbox_in_use() and request.user.is_superuser


@hooks.register("register_admin_urls")
def register_outgoing_mail_urls():
    return [
        path("outgoing-mail/", admin_views.outgoing_mail, name="signpost_outgoing_mail"),
        path(
            "outgoing-mail/<str:name>/",
            admin_views.outgoing_mail_message,
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
