"""Registers printing with Wagtail: the Printing menu (print runs, signs, templates), the
print run and sign listings, the custom screens' URLs, the audit-log actions every print
run and sign is logged under, and the overdue signs on the dashboard. What is registered
lives in ``viewsets``, ``admin_urls`` and ``panels``."""

from django.urls import include, path, reverse
from signpost.admin_menu import PermissionMenuItem
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem
from wagtail.snippets.models import register_snippet

from . import admin_urls, panels, services
from .viewsets import PrintRunViewSet, PrintTemplateViewSet, SignViewSet

register_snippet(PrintTemplateViewSet)


@hooks.register("register_admin_viewset")
def register_printing_listings():
    return [
        PrintRunViewSet("printing_runs", url_prefix="printing/runs"),
        SignViewSet("printing_signs", url_prefix="printing/signs"),
    ]


@hooks.register("register_admin_urls")
def register_printing_urls():
    return [path("printing/", include((admin_urls, "printing_admin"), namespace="printing_admin"))]


@hooks.register("register_admin_menu_item")
def register_printing_menu():
    menu = Menu(
        register_hook_name="register_printing_menu_item",
        construct_hook_name="construct_printing_menu",
    )
    return SubmenuMenuItem(
        "Printing", menu, icon_name="doc-full-inverse", name="printing", order=300
    )


@hooks.register("register_printing_menu_item")
def register_print_runs_item():
    return PermissionMenuItem(
        "Print runs",
        reverse("printing_runs:index"),
        icon_name="doc-full-inverse",
        order=100,
        permission="printing.view_printrun",
    )


@hooks.register("register_printing_menu_item")
def register_signs_item():
    return PermissionMenuItem(
        "Signs",
        reverse("printing_signs:index"),
        icon_name="pick",
        order=200,
        permission="printing.view_sign",
    )


@hooks.register("register_printing_menu_item")
def register_templates_item():
    return PermissionMenuItem(
        "Print templates",
        reverse("wagtailsnippets_printing_printtemplate:list"),
        icon_name="doc-full",
        order=300,
        permission="printing.change_printtemplate",
    )


@hooks.register("register_log_actions")
def register_printing_log_actions(actions):
    actions.register_action(services.LOG_ACTION_PRINT_RUN, "Print run", "Print run recorded")
    actions.register_action(
        services.LOG_ACTION_PRINT_RUN_READY, "Print run rendered", "Print-ready PDF rendered"
    )
    actions.register_action(services.LOG_ACTION_SIGN_UP, "Sign put up", "Sign put up")
    actions.register_action(services.LOG_ACTION_SIGN_DOWN, "Sign taken down", "Sign taken down")


hooks.register("construct_homepage_panels", panels.add_overdue_signs_panel)
