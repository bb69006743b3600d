"""The engagement app's Celery tasks, for Celery's autodiscovery (which imports
``<app>.tasks``); each sub-package defines its own."""

from .press.tasks import (  # noqa: F401
    pages_publish_scheduled,
    press_release_email_media_contacts,
    press_release_mailings_retry,
)
from .stakeholders.tasks import (  # noqa: F401
    stakeholder_alert_email_send,
    stakeholder_overdue_remind_send,
)
