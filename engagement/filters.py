"""Listing filters for the stakeholder register; every filter is a database query."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from wagtail.admin.filters import WagtailFilterSet

from .models import Area, Quadrant, Stakeholder


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

    class Meta:
        model = Stakeholder
        fields = ["quadrant", "stakeholder_type", "areas", "overdue"]

    def filter_quadrant(self, queryset, name, value):
        if value == "unscored":
            return queryset.filter(Q(interest__isnull=True) | Q(influence__isnull=True))
        return queryset.in_quadrant(value)

    def filter_overdue(self, queryset, name, value):
        today = timezone.localdate()
        if value:
            return queryset.filter(next_action_due__lt=today)
        return queryset.filter(Q(next_action_due__gte=today) | Q(next_action_due__isnull=True))
