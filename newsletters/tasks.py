"""The newsletters app's Celery tasks, for Celery's autodiscovery (which imports
``<app>.tasks``); each sub-package defines its own."""

from .campaigns.tasks import campaign_review_notify_send  # noqa: F401
from .sending.tasks import (  # noqa: F401
    campaign_send_chunk,
    campaign_write_deliveries,
    campaigns_send_due,
    deliveries_resume_stalled,
)
from .subscribers.tasks import (  # noqa: F401
    area_subscriber_counts_recount,
    subscriber_sign_up,
    subscribers_purge_unconfirmed,
)
from .tracking.tasks import tracking_event_process  # noqa: F401
