"""Signal receivers for press releases; they call services."""

from wagtail.signals import page_published


def on_page_published(sender, instance, **kwargs):
    from .models import PressReleasePage
    from .services import press_release_published

    if isinstance(instance, PressReleasePage) and not kwargs.get("alias"):
        press_release_published(release=instance)


def on_newsroom_saved(sender, instance, **kwargs):
    """Every newsroom's releases go through the sign-off workflow, from its first save."""
    from .services import newsroom_assign_workflow

    if instance.pk and not kwargs.get("raw"):
        newsroom_assign_workflow(newsroom=instance)


def on_publish_refused(sender, release, revision, user, door, **kwargs):
    from .services import press_release_publish_refused

    press_release_publish_refused(release=release, revision=revision, user=user, door=door)


def connect() -> None:
    from django.db.models.signals import post_save

    from .models import NewsroomPage
    from .models.releases import publish_refused

    page_published.connect(on_page_published, dispatch_uid="engagement_press_release_published")
    publish_refused.connect(on_publish_refused, dispatch_uid="press_release_publish_refused")
    post_save.connect(on_newsroom_saved, sender=NewsroomPage, dispatch_uid="newsroom_workflow")
