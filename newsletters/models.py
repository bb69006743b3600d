"""The newsletters app's models, defined in its sub-packages and gathered here, where
Django and Wagtail look for them (the app label stays ``newsletters``):

- ``subscribers``: topics, subscribers, their consent records and the suppression list;
- ``campaigns``: newsletter pages and the campaigns that send them;
- ``sending``: the delivery ledger, one row per (campaign, subscriber);
- ``tracking``: the ESP's tracking events.
"""

from .campaigns.models import Campaign, CampaignReview, NewsletterPage
from .sending.models import Delivery
from .subscribers.models import (
    AreaSubscriberCount,
    ConsentRecord,
    Subscriber,
    SubscriberQuerySet,
    Suppression,
    Topic,
    email_hash,
)
from .tracking.models import TrackingEvent

__all__ = [
    "AreaSubscriberCount",
    "Campaign",
    "CampaignReview",
    "ConsentRecord",
    "Delivery",
    "NewsletterPage",
    "Subscriber",
    "SubscriberQuerySet",
    "Suppression",
    "Topic",
    "TrackingEvent",
    "email_hash",
]
