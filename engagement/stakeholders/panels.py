"""Dashboard panels of the stakeholder register: alerts, overdue actions and the grid."""

from wagtail.admin.ui.components import Component

from . import selectors, services, views
from .models import Stakeholder


class StakeholderAlertsPanel(Component):
    """The admin notification of rising interest, until someone marks it reviewed."""

    name = "stakeholder_alerts"
    template_name = "engagement/admin/panel_alerts.html"
    order = 90

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        request = parent_context["request"]
        context.update(
            alerts=list(selectors.stakeholder_alerts_open()[:20]),
            csrf_token=parent_context["csrf_token"],
            next=request.get_full_path(),
        )
        return context


class StakeholderOverduePanel(Component):
    name = "stakeholder_overdue"
    template_name = "engagement/admin/panel_overdue.html"
    order = 95
    limit = 10

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        request = parent_context["request"]
        overdue = selectors.stakeholders_action_overdue()
        total = overdue.count()
        context.update(
            stakeholders=[
                {"stakeholder": s, "action": services.stakeholder_next_action(s)[0]}
                for s in overdue[: self.limit]
            ],
            overdue_total=total,
            more_stakeholders=total > self.limit,
            follow_ups=list(selectors.engagements_follow_up_overdue()[: self.limit]),
            can_edit_engagements=request.user.has_perm("engagement.change_engagement"),
        )
        return context


class StakeholderGridPanel(Component):
    """How many stakeholders sit in each cell of the grid; their names are one click away
    on the grid's own page, so the admin's home stays as quick with a force's 20,000
    stakeholders as with a few."""

    name = "stakeholder_grid"
    template_name = "engagement/admin/panel_grid.html"
    order = 100

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        request = parent_context["request"]
        context.update(
            views.grid_context(
                request, Stakeholder.objects.all(), svg_id="dashboard-grid", names=False
            )
        )
        return context


def add_stakeholder_panels(request, panels):
    user = request.user
    if user.has_perm("engagement.change_stakeholder"):
        panels.append(StakeholderAlertsPanel())
    if user.has_perm("engagement.view_stakeholder"):
        panels.append(StakeholderOverduePanel())
    if user.has_perm(views.GRID_PERMISSION):
        panels.append(StakeholderGridPanel())
