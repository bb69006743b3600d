"""Listing filters for print runs and signs; every filter is a database query."""

import django_filters
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from engagement.models import Area, Operation

from .models import FORMATS, Kind, PrintFormat, PrintRun, Sign
from .selectors import signs_overdue


class PrintRunFilterSet(WagtailFilterSet):
    """Find a run again by where and when it was printed, what it was and how it went."""

    SHARED_LEAFLETS, HOUSEHOLD_LEAFLETS, SIGNS = "leaflet", "household", "sign"

    operation = django_filters.ModelChoiceFilter(
        label="Operation", queryset=Operation.objects.all(), empty_label="Any operation"
    )
    area = django_filters.ModelChoiceFilter(
        label="Area", queryset=Area.objects.all(), empty_label="Any area"
    )
    kind = django_filters.ChoiceFilter(
        label="Kind",
        choices=[
            (SHARED_LEAFLETS, "Leaflets, one code"),
            (HOUSEHOLD_LEAFLETS, "Household leaflets"),
            (SIGNS, "Removable signs"),
        ],
        method="filter_kind",
        empty_label="Any kind",
    )
    format = django_filters.ChoiceFilter(
        label="Format", choices=PrintFormat.choices, empty_label="Any format"
    )
    status = django_filters.ChoiceFilter(
        label="Status", choices=PrintRun.Status.choices, empty_label="Any status"
    )
    created_at = django_filters.DateFromToRangeFilter(
        label="Printed between", widget=DateRangePickerWidget
    )

    class Meta:
        model = PrintRun
        fields = ["operation", "area", "kind", "format", "status", "created_at"]

    def filter_kind(self, queryset, name, value):
        signs = [code for code, spec in FORMATS.items() if spec.kind == Kind.SIGN]
        if value == self.SIGNS:
            return queryset.filter(format__in=signs)
        leaflets = queryset.exclude(format__in=signs)
        return leaflets.filter(per_household=value == self.HOUSEHOLD_LEAFLETS)


class SignFilterSet(WagtailFilterSet):
    """Which signs to list: by default every sign not yet taken down, the newly printed
    (still to go up) with those up now, so a run just printed is on the list."""

    CURRENT, UP, OVERDUE, NOT_UP, ALL = "current", "up", "overdue", "not_up", "all"

    show = django_filters.ChoiceFilter(
        label="Show",
        choices=[
            (CURRENT, "Not taken down"),
            (UP, "Up now"),
            (OVERDUE, "Overdue"),
            (NOT_UP, "Printed, not yet up"),
            (ALL, "All"),
        ],
        method="filter_show",
        empty_label=None,
    )

    class Meta:
        model = Sign
        fields = ["show"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("show"):
            queryset = self.filter_show(queryset, "show", self.CURRENT)
        return queryset

    def filter_show(self, queryset, name, value):
        if value == self.CURRENT:
            return queryset.filter(taken_down_at__isnull=True)
        if value == self.OVERDUE:
            return queryset.filter(pk__in=signs_overdue().values("pk"))
        if value == self.UP:
            return queryset.filter(put_up_at__isnull=False, taken_down_at__isnull=True)
        if value == self.NOT_UP:
            return queryset.filter(put_up_at__isnull=True)
        return queryset
