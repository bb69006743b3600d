"""The configured ESP's tracking webhook address, for the project's URLconf (the views
are the ``tracking`` sub-package's)."""

from django.conf import settings
from django.urls import path

from .tracking.webhooks import TRACKING_VIEWS


def tracking_urlpatterns() -> list:
    """The configured ESP's tracking address, at the path anymail documents for it."""
    esp = settings.SIGNPOST_ESP
    return [
        path(
            f"anymail/{esp}/tracking/",
            TRACKING_VIEWS[esp].as_view(),
            name=f"{esp}_tracking_webhook",
        )
    ]
