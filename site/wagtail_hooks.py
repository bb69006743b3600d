"""Admin hooks shared by the whole site: the page chooser shows only what the user may see
(``choosers``), the development mailbox, for superusers, when email is written to files
(``signpost.dev_mail``), locked sign-ins for superusers and one's own recovery codes
(``signpost.sign_in``), the sign-in audit-log actions, the warning to superusers when
beat or the workers are silent (``panels``), cache headers on every page
served (``caching``), and bulk actions that name nothing the user may not act on
(``bulk_actions``)."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_urls, bulk_actions
from .admin_menu import OutgoingMailMenuItem, PermissionMenuItem, SuperuserMenuItem
from .caching import page_cache_headers
from .choosers import page_chooser_shows_what_the_user_may_see
from .panels import add_background_silent_panel

hooks.register("construct_page_chooser_queryset", page_chooser_shows_what_the_user_may_see)

# After Wagtail's own bulk actions, so each takes its place (``signpost.bulk_actions``).
hooks.register("register_bulk_action", bulk_actions.SnippetDeleteAction, order=1)
hooks.register("register_bulk_action", bulk_actions.PageDeleteAction, order=1)
hooks.register("register_bulk_action", bulk_actions.PageMoveAction, order=1)
hooks.register("register_bulk_action", bulk_actions.PageUnpublishAction, order=1)
hooks.register("register_bulk_action", bulk_actions.ImageDeleteAction, order=1)
hooks.register("register_bulk_action", bulk_actions.ImageAddTagsAction, order=1)
hooks.register("register_bulk_action", bulk_actions.ImageAddToCollectionAction, order=1)
hooks.register("register_bulk_action", bulk_actions.DocumentDeleteAction, order=1)
hooks.register("register_bulk_action", bulk_actions.DocumentAddTagsAction, order=1)
hooks.register("register_bulk_action", bulk_actions.DocumentAddToCollectionAction, order=1)


@hooks.register("register_admin_urls")
def register_outgoing_mail_urls():
    return [path("", include(admin_urls))]


@hooks.register("register_settings_menu_item")
def register_jobs_menu_item():
    return PermissionMenuItem(
        "Background jobs",
        reverse("signpost_jobs"),
        icon_name="cogs",
        order=9_000,
        permission="signpost.change_job",
    )


@hooks.register("register_settings_menu_item")
def register_outgoing_mail_menu_item():
    return OutgoingMailMenuItem(
        "Outgoing mail (development)",
        reverse("signpost_outgoing_mail"),
        icon_name="mail",
        order=10_000,
    )


hooks.register("construct_homepage_panels", add_background_silent_panel)

# Registered before Wagtail's own hook, so restricted pages already carry never_cache.
hooks.register("on_serve_page", page_cache_headers)


@hooks.register("register_settings_menu_item")
def register_locked_sign_ins_menu_item():
    return SuperuserMenuItem(
        "Locked sign-ins", reverse("signpost_locked_sign_ins"), icon_name="lock", order=9_000
    )


@hooks.register("register_account_menu_item")
def register_recovery_codes_account_item(request):
    return {
        "url": reverse("signpost_recovery_codes"),
        "label": "Recovery codes",
        "help_text": "See how many second-factor recovery codes you have left, or make new ones.",
    }


@hooks.register("register_reports_menu_item")
def register_downloads_menu_item():
    return MenuItem(
        "Your downloads", reverse("signpost_downloads"), icon_name="download", order=10_000
    )


@hooks.register("register_log_actions")
def register_sign_in_log_actions(actions):
    actions.register_action(
        "signpost.export.prepare", "Export prepared", "Large export prepared for download"
    )
    actions.register_action(
        "signpost.second_factor.enrol", "Second factor enrolled", "Set up an authenticator app"
    )
    actions.register_action(
        "signpost.second_factor.recovery_code_used",
        "Recovery code used",
        "Signed in with a recovery code",
    )
    actions.register_action(
        "signpost.second_factor.reset", "Second factor reset", "Second factor reset by a superuser"
    )
    actions.register_action(
        "signpost.sign_in.unlock", "Sign-in unlocked", "Failed sign-ins cleared by a superuser"
    )
