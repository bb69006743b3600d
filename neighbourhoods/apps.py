from django.apps import AppConfig


class NeighbourhoodsConfig(AppConfig):
    """Residents' pages for each area of the initiative: what is happening there now."""

    name = "neighbourhoods"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401 (connects receivers that import models: once ready)
