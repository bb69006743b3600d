"""Admin forms with the checks a press officer needs to see before anything is sent."""

from django import forms
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminPageForm


class PressReleaseForm(WagtailAdminPageForm):
    """Wagtail's page form, with the go-live time presented as the embargo."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # The slug follows the headline in the browser; when it arrives empty (the
            # script did not run) Wagtail makes it from the headline as it saves, so
            # "Save draft" does not fail over a field on the Promote tab.
            self.fields["slug"].required = False
        if "go_live_at" in self.fields:
            self.fields["go_live_at"].label = "Embargoed until"
            self.fields["go_live_at"].help_text = (
                "Once approved, the release goes live (and is emailed to media contacts) at "
                "this time, not before. Leave empty to publish on approval."
            )

    def clean_go_live_at(self):
        go_live_at = self.cleaned_data.get("go_live_at")
        unchanged = go_live_at == self.instance.go_live_at
        if go_live_at and not unchanged and go_live_at <= timezone.now():
            local = timezone.localtime(go_live_at)
            raise forms.ValidationError(
                f"The embargo time {local:%d %B %Y %H:%M} has already passed. Choose a future "
                "time, or clear the embargo to publish on approval."
            )
        return go_live_at
