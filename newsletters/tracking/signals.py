"""django-anymail's tracking signal: the ESP's webhook events arrive here."""

from anymail.signals import tracking

from . import services


def tracking_received(sender, event, esp_name, **kwargs):
    services.tracking_event_receive(event=event)


def connect() -> None:
    tracking.connect(tracking_received, dispatch_uid="newsletters.tracking")
