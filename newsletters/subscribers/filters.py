"""The subscriber register's filters; each is one indexed condition on the subscriber
row, so a filtered page of a million subscribers costs what an unfiltered one does."""

import django_filters
from django.conf import settings
from django.db.models import Exists, OuterRef
from wagtail.admin.filters import WagtailFilterSet

from engagement.models import Area

from .models import Subscriber, Topic


class SubscriberFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label="Status", choices=Subscriber.Status.choices, empty_label="Any status"
    )
    area = django_filters.ModelChoiceFilter(
        label="Area", queryset=Area.objects.all(), empty_label="Any area"
    )
    language = django_filters.ChoiceFilter(
        label="Language", choices=settings.LANGUAGES, empty_label="Any language"
    )
    topics = django_filters.ModelMultipleChoiceFilter(
        label="Topics", queryset=Topic.objects.all(), method="filter_topics"
    )

    class Meta:
        model = Subscriber
        fields = ["status", "area", "language", "topics"]

    def filter_topics(self, queryset, name, value):
        # EXISTS rather than a join: a join repeats a subscriber per topic and needs a
        # DISTINCT over every column of every row to take the repeats out again.
        if not value:
            return queryset
        chosen = Subscriber.topics.through.objects.filter(
            subscriber=OuterRef("pk"), topic__in=value
        )
        return queryset.filter(Exists(chosen))
