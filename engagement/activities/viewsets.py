"""The admin register of activities, with its calendar view."""

from django.urls import path
from signpost.choosers import PermissionCheckedSnippetViewSet
from signpost.exports import SafeExportIndexView

from .models import Activity
from .views import ActivityCalendarView


class ActivityIndexView(SafeExportIndexView):
    select = ("area", "owner", "operation")


class ActivityViewSet(PermissionCheckedSnippetViewSet):
    model = Activity
    index_view_class = ActivityIndexView
    icon = "date"
    menu_label = "Activities"
    list_display = ["title", "mode", "area", "planned_on", "delivered_on", "owner"]
    list_filter = ["mode", "area", "operation", "planned_on", "delivered_on"]
    list_export = [
        "title",
        "get_mode_display",
        "area",
        "operation",
        "audience",
        "planned_on",
        "delivered_on",
    ]
    export_headings = {"get_mode_display": "Mode"}
    export_filename = "activity-calendar"
    search_fields = ["title", "audience", "notes"]
    ordering = ["-planned_on"]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path(
                "calendar/",
                ActivityCalendarView.as_view(
                    index_url_name=self.get_url_name("list"),
                    add_url_name=self.get_url_name("add"),
                ),
                name="calendar",
            )
        ]
