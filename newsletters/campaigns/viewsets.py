"""The admin's register of campaigns."""

from wagtail.admin.viewsets.model import ModelViewSet

from . import views
from .models import Campaign


class CampaignViewSet(ModelViewSet):
    model = Campaign
    icon = "mail"
    menu_label = "Campaigns"
    index_view_class = views.CampaignIndexView
    add_view_class = views.CampaignCreateView
    edit_view_class = views.CampaignEditView
    list_display = [
        "name",
        "newsletter",
        "status",
        "recipient_count",
        "scheduled_for",
        "send_finished_at",
    ]
    list_filter = ["status"]
    search_fields = ["name", "subject"]
    inspect_view_enabled = False
    copy_view_enabled = False
