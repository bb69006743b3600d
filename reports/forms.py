from django import forms
from django.utils import timezone

from .periods import TOO_LATE, Period, ends_too_late

ISO_DATE = "%Y-%m-%d"


class ReportForm(forms.Form):
    """Title, period and commentary of a draft report."""

    PRESETS = [
        ("", "Choose the dates below"),
        ("last_month", "Last month"),
        ("last_quarter", "Last quarter"),
    ]

    preset = forms.ChoiceField(
        choices=PRESETS, required=False, label="Period", help_text="Or choose the dates below."
    )
    title = forms.CharField(max_length=200, required=False)
    # A date input takes its value as YYYY-MM-DD only; in the site's locale (en-GB,
    # 01/11/2026) the browser would show it empty, and saving would lose the period.
    period_start = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        label="From",
    )
    period_end = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format=ISO_DATE),
        label="To (inclusive)",
    )
    commentary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        max_length=6000,
        help_text="Plain text for the strategic group; a blank line starts a new paragraph. "
        "Be conservative about claims of impact.",
    )

    def clean(self):
        data = super().clean()
        preset = data.get("preset")
        today = timezone.localdate()
        dates_given = data.get("period_start") and data.get("period_end")
        if preset and not dates_given:
            # The dates typed win over the preset the page opens with.
            period = (
                Period.previous_month(today)
                if preset == "last_month"
                else Period.previous_quarter(today)
            )
            data["period_start"], data["period_end"] = period.start, period.end
        if not data.get("period_start") or not data.get("period_end"):
            raise forms.ValidationError("Choose a period: last month, last quarter, or two dates.")
        if ends_too_late(data["period_end"], today):
            raise forms.ValidationError({"period_end": TOO_LATE})
        if not data.get("title"):
            data["title"] = (
                f"Progress report: {Period(data['period_start'], data['period_end']).label}"
            )
        return data
