from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
    verbose_name = "Engagement"

    def ready(self):
        from .press import signals as press_signals  # receivers import models: once ready
        from .stakeholders import signals as stakeholder_signals  # the same

        press_signals.connect()
        stakeholder_signals.connect()
