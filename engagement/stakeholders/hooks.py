"""Hook functions for the stakeholder register, registered in ``engagement.wagtail_hooks``."""

from django.urls import path, reverse
from signpost.admin_menu import PermissionMenuItem
from wagtail.log_actions import LogFormatter

from . import views
from .services import STAKEHOLDER_IMPORTED


def register_stakeholder_log_actions(actions):
    @actions.register_action(STAKEHOLDER_IMPORTED)
    class StakeholderImported(LogFormatter):
        label = "Import from CSV"

        def format_message(self, log_entry):
            data = log_entry.data or {}
            return f"Imported from CSV ({data.get('filename', 'a file')}, row {data.get('row')})"


# --- Grid, dashboard and alerts ------------------------------------------------------------


def register_stakeholder_urls():
    return [
        path("engagement/grid/", views.stakeholder_grid, name="engagement_stakeholder_grid"),
        path(
            "engagement/grid/print/",
            views.stakeholder_grid_print,
            name="engagement_stakeholder_grid_print",
        ),
        path(
            "engagement/alerts/<int:alert_id>/reviewed/",
            views.stakeholder_alert_acknowledge,
            name="engagement_stakeholder_alert_acknowledge",
        ),
    ]


def register_grid_menu_item():
    return PermissionMenuItem(
        "Stakeholder grid",
        reverse("engagement_stakeholder_grid"),
        icon_name="view",
        order=210,
        permission=views.GRID_PERMISSION,
    )
