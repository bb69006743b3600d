from celery.signals import task_prerun
from django.apps import AppConfig
from django.apps import apps as global_apps
from django.conf import settings
from django.core.signals import request_started
from django.db.models.signals import post_delete, post_migrate, post_save

from .roles import sync_roles


def _sync_roles_after_migrate(sender, using, apps=None, **kwargs):
    sync_roles(apps or global_apps)


def _purge_site_after_settings_change(sender, instance, **kwargs):
    """The initiative's settings appear on every page (name, contact, footer links), so a
    CDN's copies of the site's pages are purged when they change."""
    if getattr(settings, "WAGTAILFRONTENDCACHE", None):
        from .caching import site_pages_purge  # imports Wagtail's models: not while apps load

        site_pages_purge(site=instance.site)


class SignpostConfig(AppConfig):
    name = "signpost"
    verbose_name = "Signpost"

    def ready(self):
        # Pillow refuses to decode an image beyond the upload cap wherever it is opened
        # (renditions of files stored before the cap), instead of only warning.
        from PIL import Image  # a slow import only the image paths need

        Image.MAX_IMAGE_PIXELS = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
        # The 0002 data migration creates the roles; this keeps them matching the declared
        # table after every migrate, as apps add models and permissions.
        post_migrate.connect(_sync_roles_after_migrate, sender=self, dispatch_uid="signpost-roles")
        post_save.connect(
            _purge_site_after_settings_change,
            sender=self.get_model("InitiativeSettings"),
            dispatch_uid="signpost-settings-purge",
        )
        # Listings mark a page in another language by its locale's code, read once a process.
        from wagtail.models import Locale

        from .translated import locale_codes_forget, locale_codes_recheck

        for signal in (post_save, post_delete):
            signal.connect(
                locale_codes_forget, sender=Locale, dispatch_uid=f"signpost-locales-{signal}"
            )
        # Another process may have changed one: each request and task checks once.
        request_started.connect(locale_codes_recheck, dispatch_uid="signpost-locales-request")
        task_prerun.connect(locale_codes_recheck, dispatch_uid="signpost-locales-task", weak=False)
