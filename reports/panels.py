"""The admin home page's panels for reports: what waits for you, and the communications
at a glance."""

from django.utils import timezone
from wagtail.admin.ui.components import Component

from . import selectors


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


def add_communications_panel(request, panels):
    if not request.user.has_perm("reports.view_dashboard"):
        return
    panels.append(CommunicationsAtAGlancePanel(selectors.glance_figures(timezone.localdate())))


class WaitingForYouPanel(Component):
    """First on the admin home page: the hand-offs that wait for this person, so a
    campaign asked to be approved, a release at their sign-off step, or their own work
    sent back is seen without an email."""

    name = "waiting_for_you"
    order = 5
    template_name = "reports/admin/waiting_panel.html"

    def __init__(self, waiting: dict):
        self.waiting = waiting

    def get_context_data(self, parent_context=None):
        return self.waiting


def add_waiting_for_you_panel(request, panels):
    waiting = selectors.waiting_for_you(request.user)
    if waiting["total"]:
        panels.insert(0, WaitingForYouPanel(waiting))
