"""How a release's history shows the sign-off's entries."""

from wagtail.log_actions import LogFormatter


class StepSigned(LogFormatter):
    label = "Sign off a step"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return f"Signed off “{data.get('step')}”, embargo {data.get('embargo')}"


class SignedOff(LogFormatter):
    label = "Sign-off completed"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return (
            f"Sign-off completed: reviewed by {data.get('reviewed_by')}, approved by "
            f"{data.get('approved_by')}, embargo {data.get('embargo')}"
        )


class PublishRefused(LogFormatter):
    label = "Publishing refused (no sign-off)"

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return f"Refused to publish without sign-off ({data.get('door_label', 'publish')})"
