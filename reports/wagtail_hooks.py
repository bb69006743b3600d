from django.urls import include, path, reverse
from django.utils import timezone
from signpost.admin_menu import PermissionMenuItem
from wagtail import hooks
from wagtail.admin.ui.components import Component

from . import admin_urls, selectors, services


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


class CommunicationsAtAGlancePanel(Component):
    """The admin home page's summary of the communications work, linking to the full
    dashboard. Overdue signs are listed by the printing app's own panel; this one only
    counts them."""

    name = "communications_at_a_glance"
    order = 60
    template_name = "reports/admin/glance_panel.html"

    def __init__(self, figures: dict):
        self.figures = figures

    def get_context_data(self, parent_context=None):
        return self.figures


@hooks.register("construct_homepage_panels")
def add_communications_panel(request, panels):
    if not request.user.has_perm("reports.view_dashboard"):
        return
    panels.append(CommunicationsAtAGlancePanel(selectors.glance_figures(timezone.localdate())))
