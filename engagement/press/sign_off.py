"""The sign-off's own rules, below the models that apply them (a release's ``publish``
and ``save``, a step's ``on_action``), so those import them at the top and nothing
reaches back up to services: what a sign-off covers (the wording, links and embargo, kept
as a fingerprint), how an approved step is carried onto the embargo its approver set and
written into the release's history, and how a refused attempt to publish is put on the
record."""

import hashlib
import json
import re

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import TaskState

PRESS_RELEASE_STEP_SIGNED = "engagement.press_release.step_signed"
PRESS_RELEASE_SIGNED_OFF = "engagement.press_release.signed_off"
PRESS_RELEASE_PUBLISH_REFUSED = "engagement.press_release.publish_refused"

# How each refused door is named in the audit log.
PUBLISH_DOORS = {
    "publish": "Publish",
    "add": "Publish on creation",
    "edit": "Publish from the editor",
    "bulk": "Bulk publish",
    "copy": "Publish a copy",
    "scheduled": "Scheduled publishing",
    "revert": "Publish an earlier version",
    "api": "Publish through the admin API",
}


# Parts of a revision's content that record bookkeeping, not what the public reads: a
# change to them is not a change of what was signed off.
UNSIGNED_CONTENT_KEYS = frozenset(
    {
        "pk",
        "live",
        "live_revision",
        "has_unpublished_changes",
        "first_published_at",
        "last_published_at",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "locked",
        "locked_at",
        "locked_by",
        "expired",
        "owner",
        "wagtail_admin_comments",
        "path",
        "depth",
        "numchild",
        "url_path",
        "translation_key",
        "locale",
        "content_type",
        "alias_of",
    }
)


def _without_block_ids(value):
    """StreamField blocks get fresh ids when a form is posted without them; the words and
    their order are what is signed, not the ids."""
    if isinstance(value, list):
        return [_without_block_ids(item) for item in value]
    if isinstance(value, dict):
        return {k: _without_block_ids(v) for k, v in value.items() if k != "id"}
    return value


def _signed_value(value):
    if isinstance(value, str) and value.startswith("[{"):
        try:
            return _without_block_ids(json.loads(value))
        except ValueError:
            return value
    return value


def press_release_signed_content(revision, *, without_embargo: bool = False) -> dict:
    """What a sign-off covers in a revision: the wording, the links and the embargo."""
    skip = UNSIGNED_CONTENT_KEYS | ({"go_live_at"} if without_embargo else set())
    return {
        key: _signed_value(value)
        for key, value in (revision.content or {}).items()
        if key not in skip
    }


def press_release_fingerprint(revision) -> str:
    """What the sign-off covered, as a hash kept with it."""
    content = json.dumps(
        press_release_signed_content(revision), sort_keys=True, cls=DjangoJSONEncoder
    )
    return hashlib.sha256(content.encode()).hexdigest()


# The rich text editor's own bookkeeping in saved HTML: a key on every paragraph, and an
# empty paragraph it puts in an empty field once the page has loaded.
_EDITOR_BLOCK_KEY = re.compile(r' data-block-key="[^"]*"')
_EMPTY_RICH_TEXT = re.compile(r"(\s*<p>\s*</p>\s*)*")


def _as_read(value):
    """A value as a reader sees it: without the rich text editor's keys, and an empty
    paragraph read as nothing."""
    if isinstance(value, list):
        return [_as_read(item) for item in value]
    if isinstance(value, dict):
        return {key: _as_read(item) for key, item in value.items()}
    if isinstance(value, str):
        text = _EDITOR_BLOCK_KEY.sub("", value)
        return "" if _EMPTY_RICH_TEXT.fullmatch(text) else text
    return value


def press_release_changes_only_embargo(revision, signed_revision) -> bool:
    """True when ``revision`` differs from ``signed_revision`` in nothing a reader would
    see but the embargo. (Approving in the editor saves the form: an empty field the
    editor filled with an empty paragraph is not a change of wording.)"""
    return _as_read(press_release_signed_content(revision, without_embargo=True)) == _as_read(
        press_release_signed_content(signed_revision, without_embargo=True)
    )


def sign_off_steps(workflow) -> list:
    """The workflow's active steps, in order."""
    return [
        workflow_task.task
        for workflow_task in workflow.workflow_tasks.filter(task__active=True)
        .select_related("task")
        .order_by("sort_order")
    ]


def embargo_label(go_live_at) -> str:
    if not go_live_at:
        return "none (publish on approval)"
    return f"{timezone.localtime(go_live_at):%d %B %Y %H:%M}"


def press_release_step_prepare(*, task_state, user):
    """Let the last approver set the embargo as part of approving. When the latest
    revision is hers and changes nothing but the embargo of the revision the earlier
    step signed, this step and the earlier approvals are carried onto it, so approving
    completes the sign-off with her embargo instead of sending the release back. Any
    other change since the earlier step leaves the release to go back to the first step."""
    workflow_state = task_state.workflow_state
    release = workflow_state.content_object.specific
    latest = release.get_latest_revision()
    steps = sign_off_steps(workflow_state.workflow)
    if (
        latest is None
        or latest.pk == task_state.revision_id
        or not steps
        or steps[-1].pk != task_state.task_id
        or latest.user_id != user.pk
        or not press_release_changes_only_embargo(latest, task_state.revision)
    ):
        return task_state
    with transaction.atomic():
        earlier = TaskState.objects.filter(
            workflow_state=workflow_state,
            revision_id=task_state.revision_id,
            status=TaskState.STATUS_APPROVED,
        ).exclude(pk=task_state.pk)
        for state in earlier:
            state.copy(update_attrs={"revision": latest})
        task_state.revision = latest
        task_state.save(update_fields=["revision"])
    return task_state


def press_release_step_signed(*, task_state, user) -> None:
    """Write into the release's history who passed which step, with the embargo they
    approved."""
    release = task_state.workflow_state.content_object.specific
    go_live_at = task_state.revision.as_object().go_live_at
    log(
        instance=release,
        action=PRESS_RELEASE_STEP_SIGNED,
        user=user,
        revision=task_state.revision,
        data={
            "step": task_state.task.name,
            "go_live_at": go_live_at.isoformat() if go_live_at else None,
            "embargo": embargo_label(go_live_at),
        },
    )


def press_release_publish_refusal_log(*, release, user=None, door: str = "publish") -> None:
    """Put a refused attempt to publish a release outside sign-off in the audit log."""
    log(
        instance=release,
        action=PRESS_RELEASE_PUBLISH_REFUSED,
        user=user if user is not None and user.is_authenticated else None,
        data={"door": door, "door_label": PUBLISH_DOORS.get(door, door)},
    )


def press_release_publish_refused(*, release, revision, user=None, door: str = "publish"):
    """Record a refused attempt to publish a revision that did not complete sign-off (the
    release's ``publish`` refuses and calls this). The scheduler's attempt also takes the
    revision off the schedule, so it is not tried again every minute."""
    press_release_publish_refusal_log(release=release, user=user, door=door)
    if door == "scheduled":
        type(revision).objects.filter(pk=revision.pk).update(approved_go_live_at=None)
