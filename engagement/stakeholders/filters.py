"""Listing filters for the stakeholder register; every filter is a database query."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet

from engagement.places.models import Area

from .models import Engagement, Quadrant, Stakeholder


class StakeholderFilterSet(WagtailFilterSet):
    quadrant = django_filters.ChoiceFilter(
        label="Quadrant",
        choices=Quadrant.choices + [("unscored", "Not yet scored")],
        method="filter_quadrant",
        empty_label="Any quadrant",
    )
    stakeholder_type = django_filters.ChoiceFilter(
        label="Type", choices=Stakeholder.Type.choices, empty_label="Any type"
    )
    areas = django_filters.ModelChoiceFilter(
        label="Area", queryset=Area.objects.all(), empty_label="Any area"
    )
    overdue = django_filters.BooleanFilter(
        label="Next action overdue",
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )
    follow_up_overdue = django_filters.BooleanFilter(
        label="Follow-up overdue",
        method="filter_follow_up_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = Stakeholder
        fields = ["stakeholder_type", "areas"]

    def filter_quadrant(self, queryset, name, value):
        if value == "unscored":
            return queryset.filter(Q(interest__isnull=True) | Q(influence__isnull=True))
        return queryset.in_quadrant(value)

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value:
            return queryset.filter(next_action_due__lt=today)
        return queryset.filter(Q(next_action_due__gte=today) | Q(next_action_due__isnull=True))

    def filter_follow_up_overdue(self, queryset, name, value):
        overdue = Engagement.objects.follow_up_overdue().values("stakeholders")
        if value:
            return queryset.filter(pk__in=overdue)
        return queryset.exclude(pk__in=overdue.exclude(stakeholders__isnull=True))


class EngagementFilterSet(WagtailFilterSet):
    mode = django_filters.ChoiceFilter(
        label="Mode", choices=Engagement.Mode.choices, empty_label="Any mode"
    )
    area = django_filters.ModelChoiceFilter(
        label="Area", queryset=Area.objects.all(), empty_label="Any area"
    )
    follow_up_overdue = django_filters.BooleanFilter(
        label="Follow-up overdue",
        method="filter_follow_up_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = Engagement
        fields = ["mode", "area"]

    def filter_follow_up_overdue(self, queryset, name, value):
        overdue = queryset.follow_up_overdue()
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))
