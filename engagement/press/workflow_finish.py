"""What happens when a workflow passes its last step (``WAGTAIL_FINISH_WORKFLOW_ACTION``).

Wagtail imports this while loading its own models, so it imports nothing at module level.
"""


def workflow_finish(workflow_state, user=None):
    """Press releases are recorded as signed off and then published; other pages are
    published as Wagtail does."""
    from .services import press_release_sign_off_complete  # Wagtail loads this with its models

    return press_release_sign_off_complete(workflow_state=workflow_state, user=user)
