"""The initiative's roles as Wagtail groups, declared once and applied by migrations.

Every installed app may add a ``roles.py`` with ``ROLE_PERMISSIONS``
(``{role: ["app.codename"]}``); its own data migration then calls
:func:`sync_roles_migration` so the groups always hold exactly what is declared. See the README's roles table for what each role may do.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.db.models import Q
from wagtail.utils.apps import get_app_submodules

COMMUNICATIONS_OFFICER = "Communications officer"
APPROVER = "Approver"
NEIGHBOURHOOD_TEAM = "Neighbourhood team"
ANALYST = "Analyst"
PARTNER_VIEWER = "Partner viewer"
ROLES = [COMMUNICATIONS_OFFICER, APPROVER, NEIGHBOURHOOD_TEAM, ANALYST, PARTNER_VIEWER]
STAFF_ROLES = [COMMUNICATIONS_OFFICER, APPROVER, NEIGHBOURHOOD_TEAM, ANALYST]

ROLE_PERMISSIONS = {
    COMMUNICATIONS_OFFICER: [
        "wagtailadmin.access_admin",
        "signpost.change_initiativesettings",
        "wagtailredirects.add_redirect",
        "wagtailredirects.change_redirect",
        "wagtailredirects.delete_redirect",
        # Sending pages for translation, and turning on the languages the site offers.
        "wagtail_localize.submit_translation",
        "wagtailcore.add_locale",
        "wagtailcore.change_locale",
    ],
    APPROVER: ["wagtailadmin.access_admin", "signpost.change_initiativesettings"],
    NEIGHBOURHOOD_TEAM: ["wagtailadmin.access_admin"],
    ANALYST: ["wagtailadmin.access_admin"],
    PARTNER_VIEWER: ["wagtailadmin.access_admin"],
}

# Page permissions granted on the root page, so they cover the whole site tree. Apps
# restrict particular page types further (press releases publish only by approvers).
ROLE_PAGE_PERMISSIONS = {
    COMMUNICATIONS_OFFICER: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    APPROVER: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    ANALYST: ["add_page", "change_page"],
}

# Image and document permissions on the root collection.
ROLE_COLLECTION_PERMISSIONS = {
    COMMUNICATIONS_OFFICER: [
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    ],
    APPROVER: [
        "add_image",
        "change_image",
        "choose_image",
        "add_document",
        "change_document",
        "choose_document",
    ],
    NEIGHBOURHOOD_TEAM: ["choose_image", "choose_document"],
    ANALYST: ["add_image", "choose_image", "add_document", "choose_document"],
}


def declared_permissions() -> dict[str, set[str]]:
    """Every installed app's declared model permissions (its ``roles.py``, found through
    the app registry as Wagtail finds ``wagtail_hooks``), merged per role."""
    merged: dict[str, set[str]] = {role: set() for role in ROLES}
    for _app, module in get_app_submodules("roles"):
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            merged[role].update(perms)
    return merged


def _ensure_model_permissions(apps) -> None:
    """Permissions are normally created after migrate; create them now so a data
    migration can grant permissions on models created earlier in the same run."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_contenttypes(app_config, verbosity=0, apps=apps)
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None


def sync_roles(apps) -> None:
    """Make each role's group hold exactly the declared permissions that exist so far."""
    _ensure_model_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    for role, codes in declared_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for code in sorted(codes):
            app_label, codename = code.split(".", 1)
            wanted.extend(
                Permission.objects.filter(content_type__app_label=app_label, codename=codename)
            )
        group.permissions.set(wanted)

    _sync_tree_permissions(apps)


def _sync_tree_permissions(apps) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root_page = Page.objects.filter(depth=1).first()
    root_collection = Collection.objects.filter(depth=1).first()
    for role in ROLES:
        group = Group.objects.get(name=role)
        if root_page is not None:
            GroupPagePermission.objects.filter(group=group, page=root_page).delete()
            for codename in ROLE_PAGE_PERMISSIONS.get(role, []):
                permission = Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                )
                GroupPagePermission.objects.create(
                    group=group, page=root_page, permission=permission
                )
        if root_collection is not None:
            GroupCollectionPermission.objects.filter(
                group=group, collection=root_collection
            ).delete()
            for codename in ROLE_COLLECTION_PERMISSIONS.get(role, []):
                app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
                permission = Permission.objects.get(
                    content_type__app_label=app_label, codename=codename
                )
                GroupCollectionPermission.objects.create(
                    group=group, collection=root_collection, permission=permission
                )


def sync_roles_migration(apps, schema_editor) -> None:
    """RunPython entry point: ``migrations.RunPython(sync_roles_migration, noop)``."""
    sync_roles(apps)


def role_member_emails(role: str) -> list[str]:
    """The addresses of the active users in a role, for notices sent to that role."""
    users = get_user_model().objects.filter(is_active=True, groups__name=role).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def permission_holders(permission: str):
    """The active users given ``permission`` ("app.codename") through a role or directly:
    who a notice about that kind of work goes to. Superusers hold every permission but
    are told only through a role, as anyone else."""
    # Not at the top: site/apps.py imports this module before the models are loaded.
    from django.contrib.auth.models import Permission

    app_label, codename = permission.split(".", 1)
    granted = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__permissions__in=granted) | Q(user_permissions__in=granted))
        .distinct()
    )


def emails_of(users) -> list[str]:
    """The addresses of ``users`` (a queryset), each once, sorted; none left blank."""
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))
