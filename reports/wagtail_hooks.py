"""Registers reports with Wagtail: the reports URLs and menu items, the log action an
issued report is recorded under, and the home page's panels (``panels``): what waits
for you, and the summary."""

from django.urls import include, path, reverse
from signpost.admin_menu import PermissionMenuItem
from wagtail import hooks

from . import admin_urls, panels, services


@hooks.register("register_admin_urls")
def register_reports_urls():
    return [path("reports/", include((admin_urls, "reports_admin"), namespace="reports_admin"))]


@hooks.register("register_reports_menu_item")
def register_dashboard_item():
    return PermissionMenuItem(
        "Communications dashboard",
        reverse("reports_admin:dashboard"),
        icon_name="view",
        order=100,
        permission="reports.view_dashboard",
    )


@hooks.register("register_reports_menu_item")
def register_progress_reports_item():
    return PermissionMenuItem(
        "Progress reports",
        reverse("reports_admin:index"),
        icon_name="doc-full",
        order=200,
        permission="reports.view_progressreport",
    )


@hooks.register("register_log_actions")
def register_reports_log_actions(actions):
    actions.register_action(
        services.LOG_ACTION_ISSUE, "Progress report issued", "Progress report issued"
    )


hooks.register("construct_homepage_panels", panels.add_communications_panel)
hooks.register("construct_homepage_panels", panels.add_waiting_for_you_panel)
