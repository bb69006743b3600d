"""Admin menu items shared by the apps."""

from wagtail.admin.menu import MenuItem

from .dev_mail import may_read_mailbox


class PermissionMenuItem(MenuItem):
    """A menu item shown only to users who hold ``permission``: the view behind it checks
    the same permission, so the menu never offers a door that answers 403."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


class OutgoingMailMenuItem(MenuItem):
    """The development mailbox, in the settings menu of those who may read it."""

    def is_shown(self, request):
        return may_read_mailbox(request.user)


class SuperuserMenuItem(MenuItem):
    """A settings menu item for superusers only (the view behind it checks the same)."""

    def is_shown(self, request):
        return request.user.is_superuser
