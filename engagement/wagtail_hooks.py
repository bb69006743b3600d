"""Registers the engagement app with Wagtail; what is registered lives in the
sub-packages (``places``, ``activities``, ``stakeholders``, ``press``)."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .menus import CommunicationsViewSetGroup, InitiativeViewSetGroup
from .press import admin_api
from .press import hooks as press_hooks
from .press import panels as press_panels
from .stakeholders import hooks as stakeholder_hooks
from .stakeholders import panels as stakeholder_panels

register_snippet(InitiativeViewSetGroup)
register_snippet(CommunicationsViewSetGroup)

hooks.register("register_log_actions", press_hooks.register_press_release_log_actions)
hooks.register("register_log_actions", stakeholder_hooks.register_stakeholder_log_actions)

# Press releases publish only through their sign-off: every other door refuses.
hooks.register("before_edit_page", press_hooks.refuse_press_release_actions)
hooks.register("before_create_page", press_hooks.refuse_publishing_new_release)
hooks.register("after_create_page", press_hooks.log_refused_publishing_of_new_release)
hooks.register("before_publish_page", press_hooks.refuse_unsigned_release_publication)
hooks.register("before_copy_page", press_hooks.refuse_publishing_copied_release)
hooks.register("before_move_page", press_hooks.refuse_moving_release_out_of_newsroom)
# After Wagtail's own bulk publish, so it takes that action's place.
hooks.register("register_bulk_action", press_hooks.SignOffAwarePublishBulkAction, order=1)
# The admin API's publish action refuses and records like every other door.
admin_api.install()

hooks.register("construct_homepage_panels", press_panels.add_overdue_panel)
hooks.register("register_admin_urls", stakeholder_hooks.register_stakeholder_urls)
hooks.register("register_admin_menu_item", stakeholder_hooks.register_grid_menu_item)
hooks.register("construct_homepage_panels", stakeholder_panels.add_stakeholder_panels)
