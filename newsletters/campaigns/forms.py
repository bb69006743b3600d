"""The forms of a campaign's manage page in the admin: a test send, a schedule, and the
reason an Approver sends a campaign back."""

from django import forms
from django.core.validators import validate_email


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        label="Send a test to",
        help_text="Up to five addresses, separated by commas.",
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )

    def clean_addresses(self):
        addresses = [a.strip() for a in self.cleaned_data["addresses"].split(",") if a.strip()]
        if not addresses or len(addresses) > 5:
            raise forms.ValidationError("Give between one and five addresses.")
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError as error:
                raise forms.ValidationError(f"Not an email address: {address}") from error
        return addresses


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label="What needs to change",
        help_text="The author is emailed this and sees it on the campaign's page.",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Say what needs to change, so the author knows."},
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say what needs to change, so the author knows.")
        return reason
