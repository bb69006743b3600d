"""The admin register of media enquiries."""

from signpost.choosers import PermissionCheckedSnippetViewSet
from signpost.exports import SafeExportIndexView

from .models import MediaEnquiry


class MediaEnquiryIndexView(SafeExportIndexView):
    select = ("handler", "operation")


class MediaEnquiryViewSet(PermissionCheckedSnippetViewSet):
    model = MediaEnquiry
    index_view_class = MediaEnquiryIndexView
    icon = "mail"
    menu_label = "Media enquiries"
    list_display = ["outlet", "journalist", "received_at", "deadline", "handler", "status"]
    list_filter = ["status", "handler", "operation"]
    list_export = [
        "received_at",
        "outlet",
        "journalist",
        "question",
        "protocol_subject",
        "handler",
        "deadline",
        "get_status_display",
        "response",
        "responded_at",
    ]
    export_headings = {"get_status_display": "Status", "protocol_subject": "Protocol"}
    export_filename = "media-enquiries"
    search_fields = ["outlet", "journalist", "question"]
    inspect_view_enabled = True
