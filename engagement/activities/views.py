"""The activity calendar's admin view: reads come from ``selectors``."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.views.generic import TemplateView
from signpost.admin_permissions import require_permission
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permission_policies import ModelPermissionPolicy

from .models import Activity
from .selectors import activity_month


def _month_from(value: str | None) -> datetime.date:
    """'2026-11' → 1 November 2026; anything else, or a year the calendar (with the
    months either side) cannot show, → this month."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if not 1900 <= year <= 2999:
            raise ValueError(year)
        return datetime.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)


class ActivityCalendarView(WagtailAdminTemplateMixin, TemplateView):
    """A month of the communication plan: planned against delivered, and what is overdue."""

    template_name = "engagement/admin/activity_calendar.html"
    page_title = "Activity calendar"
    header_icon = "date"
    permission_policy = ModelPermissionPolicy(Activity)
    index_url_name = None
    add_url_name = None

    def dispatch(self, request, *args, **kwargs):
        require_permission(request, "engagement.view_activity")
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.month.first:%B %Y}"

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(self.index_url_name), "label": "Activities"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        first = _month_from(self.request.GET.get("month"))
        self.month = activity_month(first.year, first.month)
        context = super().get_context_data(**kwargs)
        context.update(
            month=self.month,
            today=timezone.localdate(),
            index_url=reverse(self.index_url_name),
            add_url=reverse(self.add_url_name),
            can_add=self.permission_policy.user_has_permission(self.request.user, "add"),
            weekdays=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        )
        return context
