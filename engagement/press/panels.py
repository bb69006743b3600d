"""The dashboard panel of overdue media enquiries and plan activities."""

from django.urls import reverse
from wagtail.admin.ui.components import Component

from engagement.activities.selectors import activities_overdue

from .selectors import media_enquiries_overdue


class OverdueMediaEnquiriesPanel(Component):
    name = "overdue_media_enquiries"
    order = 150
    template_name = "engagement/admin/overdue_panel.html"

    def __init__(self, enquiries, activities):
        self.enquiries = enquiries
        self.activities = activities

    def get_context_data(self, parent_context=None):
        return {
            "enquiries": self.enquiries,
            "activities": self.activities,
            "enquiries_url": reverse("wagtailsnippets_engagement_mediaenquiry:list"),
            "calendar_url": reverse("wagtailsnippets_engagement_activity:calendar"),
        }


def add_overdue_panel(request, panels):
    user = request.user
    enquiries = (
        list(media_enquiries_overdue()[:10])
        if user.has_perm("engagement.view_mediaenquiry")
        else []
    )
    activities = (
        list(activities_overdue().select_related("area").order_by("planned_on")[:10])
        if user.has_perm("engagement.change_activity")
        else []
    )
    if enquiries or activities:
        panels.append(OverdueMediaEnquiriesPanel(enquiries, activities))
