"""Pluggable campaign senders, after wagtail-newsletter's ``campaign_backends``: one
abstract backend, chosen by the ``SIGNPOST_CAMPAIGN_BACKEND`` setting, and one error type
for whatever the vendor's library raises."""

import abc
import threading
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


class BatchWithdrawn(Exception):
    """The batch was withdrawn before it went out (the one before it needs a retry)."""


class SendGate:
    """When a prepared batch may go to the ESP: opened once the batch before it is
    recorded, so only one batch at a time can have reached the ESP unrecorded."""

    def __init__(self):
        self._event = threading.Event()
        self._withdrawn = False

    def open(self) -> None:
        self._event.set()

    def withdraw(self) -> None:
        self._withdrawn = True
        self._event.set()

    def wait(self) -> None:
        self._event.wait()
        if self._withdrawn:
            raise BatchWithdrawn


class CampaignBackend(abc.ABC):
    """Sends one batch of one campaign: a single ESP call, per-recipient merge values."""

    batch_limit = 1000

    @abc.abstractmethod
    def send_batch(self, *, campaign, recipients: list[Recipient]) -> BatchResult:
        """Send one ESP call; raise ``CampaignBackendError`` on failure."""

    def send_batch_when_open(
        self, *, campaign, recipients: list[Recipient], gate: SendGate
    ) -> BatchResult:
        """Send one ESP call once ``gate`` opens (raise ``BatchWithdrawn`` if it is
        withdrawn instead). A backend that can build its request before the gate opens
        overrides this, so the building overlaps the previous batch's call."""
        gate.wait()
        return self.send_batch(campaign=campaign, recipients=recipients)


def get_backend() -> CampaignBackend:
    return import_string(settings.SIGNPOST_CAMPAIGN_BACKEND)()


def batch_size() -> int:
    backend = get_backend()
    return max(1, min(settings.SIGNPOST_ESP_BATCH_SIZE, backend.batch_limit))
