from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"
    verbose_name = "Newsletters"

    def ready(self):
        from .tracking import signals  # the receiver needs the models: loaded once ready

        signals.connect()
