"""The admin API's publish action for press releases: refused like every other door (the
release has not completed sign-off, so nobody may publish it directly), and on the record.
Wagtail's API calls its own publish action class with no hook, so the page API's action is
swapped for this one, which adds the audit entry and answers in plain words."""

from django.core.exceptions import PermissionDenied
from rest_framework.exceptions import PermissionDenied as APIPermissionDenied
from wagtail.admin.api.actions.publish import PublishPageAPIAction
from wagtail.admin.api.views import PagesAdminAPIViewSet

from .models import PressReleasePage
from .sign_off import press_release_publish_refusal_log

REFUSAL = (
    "A press release goes public only through a completed sign-off by two approvers: "
    "submit it to the sign-off workflow."
)


class SignedOffPublishPageAPIAction(PublishPageAPIAction):
    def execute(self, instance, data):
        try:
            return super().execute(instance, data)
        except PermissionDenied as refused:
            release = instance.specific
            if not isinstance(release, PressReleasePage):
                raise
            press_release_publish_refusal_log(release=release, user=self.request.user, door="api")
            raise APIPermissionDenied(REFUSAL) from refused


def install() -> None:
    PagesAdminAPIViewSet.actions = {
        **PagesAdminAPIViewSet.actions,
        "publish": SignedOffPublishPageAPIAction,
    }
