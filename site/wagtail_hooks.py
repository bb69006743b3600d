"""Admin wiring for the project package: the development mailbox, for superusers, when
email is written to files (signpost.dev_mail)."""

from django.conf import settings
from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_views


def mailbox_in_use() -> bool:
    return settings.EMAIL_BACKEND == "signpost.dev_mail.EmailBackend"


class OutgoingMailMenuItem(MenuItem):
    def is_shown(self, request):
        return mailbox_in_use() and request.user.is_superuser


@hooks.register("register_admin_urls")
def register_outgoing_mail_urls():
    return [
        path("outgoing-mail/", admin_views.outgoing_mail, name="signpost_outgoing_mail"),
        path(
            "outgoing-mail/<str:name>/",
            admin_views.outgoing_mail_message,
            name="signpost_outgoing_mail_message",
        ),
    ]


@hooks.register("register_settings_menu_item")
def register_outgoing_mail_menu_item():
    return OutgoingMailMenuItem(
        "Outgoing mail (development)",
        reverse("signpost_outgoing_mail"),
        icon_name="mail",
        order=10_000,
    )
