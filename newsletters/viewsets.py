"""The admin's Newsletters menu: the registers of the sub-packages, together."""

from wagtail.admin.viewsets.model import ModelViewSetGroup

from .campaigns.viewsets import CampaignViewSet
from .subscribers.viewsets import SubscriberViewSet, SuppressionViewSet, TopicViewSet


class NewslettersGroup(ModelViewSetGroup):
    menu_label = "Newsletters"
    menu_icon = "mail"
    menu_order = 250
    items = (
        CampaignViewSet("newsletters_campaigns", url_prefix="newsletters/campaigns"),
        SubscriberViewSet("newsletters_subscribers", url_prefix="newsletters/subscribers"),
        TopicViewSet("newsletters_topics", url_prefix="newsletters/topics"),
        SuppressionViewSet("newsletters_suppressions", url_prefix="newsletters/suppressions"),
    )
