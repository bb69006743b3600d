"""The admin home page's panels for printing."""

from wagtail.admin.ui.components import Component

from . import selectors


class OverdueSignsPanel(Component):
    """Signs still up past their due date, on the dashboard of everyone who logs signs."""

    name = "overdue_signs"
    order = 90
    template_name = "printing/admin/overdue_signs_panel.html"

    def __init__(self, signs):
        self.signs = signs

    def get_context_data(self, parent_context=None):
        return {"signs": self.signs}


def add_overdue_signs_panel(request, panels):
    if not request.user.has_perm("printing.change_sign"):
        return
    signs = list(selectors.signs_overdue()[:10])
    if signs:
        panels.append(OverdueSignsPanel(signs))
