"""The one permission check of Signpost's own admin views (viewsets check theirs through
Wagtail's permission policies): a door the user may not open answers 403."""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied


def require_permission(request, permission: str | Callable) -> None:
    """Raise ``PermissionDenied`` unless the user holds ``permission``: a codename such as
    ``"printing.view_printrun"``, or, for a door no codename covers, a test of the user."""
    allowed = (
        request.user.has_perm(permission)
        if isinstance(permission, str)
        else permission(request.user)
    )
    if not allowed:
        raise PermissionDenied
