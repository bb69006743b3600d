"""Who may do what with press releases.

Roles grant page permissions on the whole tree (see ``signpost.roles``); press releases
narrow them: only the communications team drafts releases, nobody publishes one directly
(a release goes live only when its sign-off completes, see ``PressReleasePage.publish``),
only an approver unpublishes one or cancels its schedule, and nobody signs off a release
they wrote or submitted, or signs both steps of one.
"""

from signpost.roles import APPROVER, COMMUNICATIONS_OFFICER
from wagtail.models import PagePermissionTester, TaskState


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


def user_signed_earlier_step(page, user, task_state=None) -> bool:
    """True when the user already passed another step of the sign-off now in progress, on
    the revision under review: one person never signs a release off twice."""
    task_state = task_state or page.current_workflow_task_state
    if task_state is None or not user.is_authenticated:
        return False
    return (
        TaskState.objects.filter(
            workflow_state_id=task_state.workflow_state_id,
            revision_id=task_state.revision_id,
            status=TaskState.STATUS_APPROVED,
            finished_by=user,
        )
        .exclude(task_id=task_state.task_id)
        .exists()
    )


class PressReleasePermissionTester(PagePermissionTester):
    """Nobody publishes a release directly, superusers included: the completed sign-off
    publishes it. Drafting is the press team's; unpublishing and unscheduling approvers'."""

    def can_edit(self):
        return super().can_edit() and user_is_press_team(self.user)

    def can_publish(self):
        return False

    def can_unpublish(self):
        return super().can_unpublish() and user_is_approver(self.user)

    def can_unschedule(self):
        return self.user.is_active and user_is_approver(self.user)

    def can_set_view_restrictions(self):
        return self.user.is_active and user_is_approver(self.user)

    def can_delete(self, ignore_bulk=False):
        if self.page.live and not user_is_approver(self.user):
            return False
        return super().can_delete(ignore_bulk=ignore_bulk) and user_is_press_team(self.user)

    def can_copy(self):
        return self.can_edit()


class NewsroomPermissionTester(PagePermissionTester):
    """Adding a release is the press team's; nobody publishes one at creation."""

    def can_add_subpage(self):
        return super().can_add_subpage() and user_is_press_team(self.user)

    def can_publish_subpage(self):
        return False

    def can_reorder_children(self):
        return super().can_reorder_children() and user_is_approver(self.user)
