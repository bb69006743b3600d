"""The admin's registers of subscribers, topics and the suppression list."""

from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet

from . import views
from .filters import SubscriberFilterSet
from .models import Subscriber, Suppression, Topic


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "group"
    menu_label = "Subscribers"
    index_view_class = views.SubscriberIndexView
    delete_view_class = views.SubscriberDeleteView
    edit_view_class = views.SubscriberEditView
    list_display = [
        "email",
        "name",
        # Filtered by, not sorted by: sorting a million subscribers by their area's name
        # is a sort of the whole register, where the filter is an index read.
        Column("area", label="Area"),
        "language",
        "status",
        "created_at",
        "confirmed_at",
    ]
    filterset_class = SubscriberFilterSet
    list_export = [
        "email",
        "name",
        "postcode",
        "area",
        "language",
        "status",
        "created_at",
        "confirmed_at",
    ]
    export_filename = "subscribers"
    search_fields = ["email", "name", "postcode"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "email",
        "name",
        "postcode",
        "area",
        "topics",
        "language",
        "status",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    form_fields = ["name", "postcode", "topics", "language"]
    copy_view_enabled = False


class TopicViewSet(ModelViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"
    list_display = ["name", "description"]
    form_fields = ["name", "slug", "description"]
    copy_view_enabled = False


class SuppressionViewSet(ModelViewSet):
    model = Suppression
    icon = "warning"
    menu_label = "Suppression list"
    list_display = [
        "reason",
        Column("email_hash", label="Address fingerprint"),
        "created_at",
        "detail",
    ]
    list_filter = ["reason"]
    form_fields = ["reason", "detail"]
    copy_view_enabled = False
