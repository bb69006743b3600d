"""Signal receivers for press releases; they call services."""

from django.db.models.signals import post_save
from wagtail.signals import page_published

from .models import NewsroomPage, PressReleasePage
from .services import newsroom_assign_workflow, press_release_published


def on_page_published(sender, instance, **kwargs):
    if isinstance(instance, PressReleasePage) and not kwargs.get("alias"):
        press_release_published(release=instance)


def on_newsroom_saved(sender, instance, **kwargs):
    """Every newsroom's releases go through the sign-off workflow, from its first save."""
    if instance.pk and not kwargs.get("raw"):
        newsroom_assign_workflow(newsroom=instance)


def connect() -> None:
    page_published.connect(on_page_published, dispatch_uid="engagement_press_release_published")
    post_save.connect(on_newsroom_saved, sender=NewsroomPage, dispatch_uid="newsroom_workflow")
