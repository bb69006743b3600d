"""The admin home page's panels for reports."""

from wagtail.admin.ui.components import Component


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
