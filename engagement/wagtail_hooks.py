"""Registers the engagement app with Wagtail; what is registered lives in the
sub-packages (``places``, ``activities``, ``stakeholders``, ``press``)."""

from django.urls import include, path, reverse
from signpost.admin_menu import PermissionMenuItem
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .press import admin_api
from .press import admin_urls as press_admin_urls
from .press import log_actions as press_log_actions
from .press import panels as press_panels
from .press import views as press_views
from .press.services import PRESS_RELEASE_EMAILED
from .press.sign_off import (
    PRESS_RELEASE_PUBLISH_REFUSED,
    PRESS_RELEASE_SIGNED_OFF,
    PRESS_RELEASE_STEP_SIGNED,
)
from .stakeholders import admin_urls as stakeholder_admin_urls
from .stakeholders import log_actions as stakeholder_log_actions
from .stakeholders import panels as stakeholder_panels
from .stakeholders.services import STAKEHOLDER_IMPORTED
from .stakeholders.views import GRID_PERMISSION
from .viewsets import CommunicationsViewSetGroup, InitiativeViewSetGroup

register_snippet(InitiativeViewSetGroup)
register_snippet(CommunicationsViewSetGroup)


@hooks.register("register_log_actions")
def register_engagement_log_actions(actions):
    actions.register_action(
        PRESS_RELEASE_EMAILED, "Email to media contacts", "Emailed to media contacts"
    )
    actions.register_action(PRESS_RELEASE_STEP_SIGNED)(press_log_actions.StepSigned)
    actions.register_action(PRESS_RELEASE_SIGNED_OFF)(press_log_actions.SignedOff)
    actions.register_action(PRESS_RELEASE_PUBLISH_REFUSED)(press_log_actions.PublishRefused)
    actions.register_action(STAKEHOLDER_IMPORTED)(stakeholder_log_actions.StakeholderImported)


# Press releases publish only through their sign-off: every other door refuses.
hooks.register("before_edit_page", press_views.refuse_press_release_actions)
hooks.register("before_create_page", press_views.refuse_publishing_new_release)
hooks.register("after_create_page", press_views.log_refused_publishing_of_new_release)
hooks.register("before_publish_page", press_views.refuse_unsigned_release_publication)
hooks.register("before_copy_page", press_views.refuse_publishing_copied_release)
hooks.register("before_move_page", press_views.refuse_moving_release_out_of_newsroom)
# After each sign-off step or submission in the editor: what happened, and who is next.
hooks.register("after_edit_page", press_views.tell_who_is_next)
hooks.register("after_create_page", press_views.tell_who_is_next)
# After Wagtail's own bulk publish, so it takes that action's place.
hooks.register("register_bulk_action", press_views.SignOffAwarePublishBulkAction, order=1)
# The admin API's publish action refuses and records like every other door.
admin_api.install()

hooks.register("construct_homepage_panels", press_panels.add_overdue_panel)
hooks.register("construct_homepage_panels", stakeholder_panels.add_stakeholder_panels)


@hooks.register("register_admin_urls")
def register_engagement_admin_urls():
    return [
        path("engagement/press/", include(press_admin_urls)),
        path("engagement/", include(stakeholder_admin_urls)),
    ]


@hooks.register("register_admin_menu_item")
def register_grid_menu_item():
    return PermissionMenuItem(
        "Stakeholder grid",
        reverse("engagement_stakeholder_grid"),
        icon_name="view",
        order=210,
        permission=GRID_PERMISSION,
    )
