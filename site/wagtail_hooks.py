"""Admin hooks shared by the whole site: the page chooser shows only what the user may see
(``choosers``), the development mailbox, for superusers, when email is written to files
(``signpost.dev_mail``), and cache headers on every page served (``caching``)."""

from django.urls import include, path, reverse
from wagtail import hooks

from . import admin_urls
from .admin_menu import OutgoingMailMenuItem, PermissionMenuItem
from .caching import page_cache_headers
from .choosers import page_chooser_shows_what_the_user_may_see

hooks.register("construct_page_chooser_queryset", page_chooser_shows_what_the_user_may_see)


@hooks.register("register_admin_urls")
def register_outgoing_mail_urls():
    return [path("", include(admin_urls))]


@hooks.register("register_settings_menu_item")
def register_jobs_menu_item():
    return PermissionMenuItem(
        "Background jobs",
        reverse("signpost_jobs"),
        icon_name="cogs",
        order=9_000,
        permission="signpost.change_job",
    )


@hooks.register("register_settings_menu_item")
def register_outgoing_mail_menu_item():
    return OutgoingMailMenuItem(
        "Outgoing mail (development)",
        reverse("signpost_outgoing_mail"),
        icon_name="mail",
        order=10_000,
    )


# Registered before Wagtail's own hook, so restricted pages already carry never_cache.
hooks.register("on_serve_page", page_cache_headers)
