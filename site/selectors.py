"""Reads for the project package's own pages."""

from django.db.models import Q
from wagtail.permission_policies.pages import PagePermissionPolicy

EDITING = ["change", "publish"]


def pages_user_may_see(pages, user):
    """Live pages, and pages not live (drafts, releases under embargo) only for those who
    may edit them: a title can say more than a press release is ready to."""
    if user.is_superuser:
        return pages
    editable = PagePermissionPolicy().instances_user_has_any_permission_for(user, EDITING)
    return pages.filter(Q(live=True) | Q(pk__in=editable.values("pk")))
