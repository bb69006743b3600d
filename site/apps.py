from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles_after_migrate(sender, using, apps=None, **kwargs):
    from django.apps import apps as global_apps

    from .roles import sync_roles

    sync_roles(apps or global_apps)


class SignpostConfig(AppConfig):
    name = "signpost"
    verbose_name = "Signpost"

    def ready(self):
        # The 0002 data migration creates the roles; this keeps them matching the declared
        # table after every migrate, as apps add models and permissions.
        post_migrate.connect(_sync_roles_after_migrate, sender=self, dispatch_uid="signpost-roles")
