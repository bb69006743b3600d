"""Signal receivers, connected in ``EngagementConfig.ready``; they call services."""

from wagtail.signals import page_published


def on_page_published(sender, instance, **kwargs):
    from .models import PressReleasePage
    from .services import press_release_published

    if isinstance(instance, PressReleasePage) and not kwargs.get("alias"):
        press_release_published(release=instance)


def connect() -> None:
    page_published.connect(on_page_published, dispatch_uid="engagement_press_release_published")
