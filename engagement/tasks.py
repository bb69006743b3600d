"""The engagement app's Celery tasks, for Celery's autodiscovery (which imports
``<app>.tasks``); each sub-package defines its own."""

from .press.tasks import (  # noqa: F401
    press_release_email_media_contacts,
    press_release_mailings_retry,
    publish_scheduled,
)
from .stakeholders.tasks import stakeholder_alert_email, stakeholder_overdue_remind  # noqa: F401
