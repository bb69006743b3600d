from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        from anymail.signals import tracking

        from .signals import tracking_received

        tracking.connect(tracking_received, dispatch_uid="newsletters.tracking")
