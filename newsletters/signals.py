"""django-anymail's tracking signal: the ESP's webhook events arrive here."""

from . import services


def tracking_received(sender, event, esp_name, **kwargs):
    services.tracking_event_receive(event=event)
