"""The admin home page's panel for superusers: a warning when Celery beat or the workers
are silent, since then embargoed releases and scheduled campaigns do not go out on time."""

from wagtail.admin.ui.components import Component

from . import health


class BackgroundSilentPanel(Component):
    """Beat or the workers silent (``signpost.health``), first on a superuser's dashboard."""

    name = "background_silent"
    order = 0
    template_name = "signpost/admin/background_silent_panel.html"

    def __init__(self, silent):
        self.silent = silent

    def get_context_data(self, parent_context=None):
        return {"silent": self.silent}


def add_background_silent_panel(request, panels):
    if not request.user.is_superuser:
        return
    silent = health.background_silent()
    if silent:
        panels.insert(0, BackgroundSilentPanel(silent))
