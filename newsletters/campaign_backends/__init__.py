"""Pluggable campaign senders, after wagtail-newsletter's ``campaign_backends``: one
abstract backend, chosen by the ``SIGNPOST_CAMPAIGN_BACKEND`` setting, and one error type
for whatever the vendor's library raises."""

import abc
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string


class CampaignBackendError(Exception):
    """The ESP refused or failed a batch. ``transient`` errors (5xx, timeouts) are worth
    retrying; others are not."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.transient = transient


@dataclass
class Recipient:
    delivery_id: int
    email: str
    merge_values: dict = field(default_factory=dict)


@dataclass
class BatchResult:
    """ESP message ids by recipient email (one id per batch for Mailgun)."""

    message_ids: dict[str, str]
    refused: dict[str, str] = field(default_factory=dict)


class CampaignBackend(abc.ABC):
    """Sends one batch of one campaign: a single ESP call, per-recipient merge values."""

    batch_limit = 1000

    @abc.abstractmethod
    def send_batch(self, *, campaign, recipients: list[Recipient]) -> BatchResult:
        """Send one ESP call; raise ``CampaignBackendError`` on failure."""


def get_backend() -> CampaignBackend:
    return import_string(settings.SIGNPOST_CAMPAIGN_BACKEND)()


def batch_size() -> int:
    backend = get_backend()
    return max(1, min(settings.SIGNPOST_ESP_BATCH_SIZE, backend.batch_limit))
