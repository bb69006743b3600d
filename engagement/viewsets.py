"""The admin menus that group the registers (viewsets) of several sub-packages."""

from django.urls import reverse
from signpost.admin_menu import PermissionMenuItem
from wagtail.snippets.views.snippets import SnippetViewSetGroup

from engagement.activities.viewsets import ActivityViewSet
from engagement.places.viewsets import AreaViewSet, OperationViewSet
from engagement.press.viewsets import MediaEnquiryViewSet
from engagement.stakeholders.viewsets import (
    ConcernThemeViewSet,
    EngagementViewSet,
    StakeholderViewSet,
)


class InitiativeViewSetGroup(SnippetViewSetGroup):
    """The 'Initiative' menu; later capabilities add their registers to it."""

    menu_label = "Initiative"
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        AreaViewSet,
        OperationViewSet,
        StakeholderViewSet,
        EngagementViewSet,
        ConcernThemeViewSet,
    )


class CommunicationsViewSetGroup(SnippetViewSetGroup):
    """The 'Plan & media' menu: the plan's activity calendar and the media log. (A longer
    label is cut off in the sidebar beside the submenu arrow.)"""

    menu_label = "Plan & media"
    menu_icon = "mail"
    menu_order = 210
    items = (ActivityViewSet, MediaEnquiryViewSet)

    def get_submenu_items(self):
        items = super().get_submenu_items()
        calendar = PermissionMenuItem(
            "Activity calendar",
            reverse("wagtailsnippets_engagement_activity:calendar"),
            icon_name="calendar",
            order=len(items) + 1,
            permission="engagement.view_activity",
        )
        return [items[0], calendar, *items[1:]]
