"""Keep a CDN's copies of the summary pages fresh.

Wagtail's frontend cache purges a page's own address when it is published or
unpublished. The home page, the list of areas and every area page also show other
pages (updates, press releases, newsletters, "you said, we did", surveys), so those
are purged too when any of them changes. With no cache configured this does nothing.
"""

from django.conf import settings
from django.dispatch import receiver
from wagtail.signals import page_published, page_unpublished

from .services import summary_pages_purge as purge


def summary_pages_purge(instance, **kwargs) -> None:
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        purge(changed=instance)


@receiver(page_published)
def _purge_on_publish(sender, instance, **kwargs):
    summary_pages_purge(instance)


@receiver(page_unpublished)
def _purge_on_unpublish(sender, instance, **kwargs):
    summary_pages_purge(instance)
