"""Who may do what with press releases.

Roles grant page permissions on the whole tree (see ``signpost.roles``); press releases
narrow them: only the communications team drafts releases, only an approver publishes,
unpublishes or schedules one, and nobody signs off a release they wrote or submitted.
"""

from signpost.roles import APPROVER, COMMUNICATIONS_OFFICER
from wagtail.models import PagePermissionTester


def _in_groups(user, names: tuple[str, ...]) -> bool:
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Asked several times per admin page; the user's groups are read once per request.
    groups = getattr(user, "_signpost_group_names", None)
    if groups is None:
        groups = set(user.groups.values_list("name", flat=True))
        user._signpost_group_names = groups
    return bool(groups.intersection(names))


def user_is_approver(user) -> bool:
    return _in_groups(user, (APPROVER,))


def user_is_press_team(user) -> bool:
    return _in_groups(user, (APPROVER, COMMUNICATIONS_OFFICER))


def user_is_release_author(page, user, task_state=None) -> bool:
    """True when the user wrote or submitted the release now under review: its owner,
    whoever submitted it to the workflow, and whoever wrote the revision being signed."""
    if not user.is_authenticated:
        return False
    if getattr(page, "owner_id", None) == user.pk:
        return True
    task_state = task_state or page.current_workflow_task_state
    if task_state is None:
        return False
    if task_state.workflow_state.requested_by_id == user.pk:
        return True
    return task_state.revision.user_id == user.pk


class PressReleasePermissionTester(PagePermissionTester):
    """Publishing a release is the approver's alone; drafting is the press team's."""

    def can_edit(self):
        return super().can_edit() and user_is_press_team(self.user)

    def can_publish(self):
        return super().can_publish() and user_is_approver(self.user)

    def can_unpublish(self):
        return super().can_unpublish() and user_is_approver(self.user)

    def can_delete(self, ignore_bulk=False):
        if self.page.live and not user_is_approver(self.user):
            return False
        return super().can_delete(ignore_bulk=ignore_bulk) and user_is_press_team(self.user)

    def can_copy(self):
        return self.can_edit()


class NewsroomPermissionTester(PagePermissionTester):
    """Adding a release is the press team's; publishing one at creation the approver's."""

    def can_add_subpage(self):
        return super().can_add_subpage() and user_is_press_team(self.user)

    def can_publish_subpage(self):
        return super().can_publish_subpage() and user_is_approver(self.user)

    def can_reorder_children(self):
        return super().can_reorder_children() and user_is_approver(self.user)
