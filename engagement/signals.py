"""Signal receivers, connected in ``EngagementConfig.ready``; they call services."""

from wagtail.signals import page_published


def on_page_published(sender, instance, **kwargs):
    from .models import PressReleasePage
    from .services import press_release_published

    if isinstance(instance, PressReleasePage) and not kwargs.get("alias"):
        press_release_published(release=instance)


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from .models import Stakeholder
    from .search import on_stakeholder_deleted, on_stakeholder_saved

    page_published.connect(on_page_published, dispatch_uid="engagement_press_release_published")
    post_save.connect(on_stakeholder_saved, sender=Stakeholder, dispatch_uid="stakeholder_index")
    post_delete.connect(
        on_stakeholder_deleted, sender=Stakeholder, dispatch_uid="stakeholder_unindex"
    )
