"""The analyst's forms for population margins: the edit form's check that each question's
counts add up, and importing a census table."""

from django import forms
from django.db import transaction
from wagtail.admin.forms import WagtailAdminModelForm

from engagement.places.models import Area

from ..profile import PROFILE
from ..services import wave_results_weigh
from .census_import import MAX_BYTES
from .checks import margin_errors


class PopulationMarginsForm(WagtailAdminModelForm):
    """Refuses counts that cannot weight a wave, naming what is wrong."""

    def is_valid(self):
        valid = super().is_valid()
        if not valid:
            return False
        by_key: dict[str, dict[str, int]] = {}
        for form in self.formsets["counts"].forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            key, category = data["profile_key"], data["category"]
            if category in by_key.setdefault(key, {}):
                self.add_error(None, f"'{category}' is counted twice for {key}.")
            by_key[key][category] = data["count"]
        for key, counts in by_key.items():
            for error in margin_errors(key, counts):
                self.add_error(None, error)
        return not self.errors

    def save(self, commit=True):
        """Saved with its counts: published results taken before the area had margins
        are weighted once the edit is committed (``wave_results_weigh``)."""
        margins = super().save(commit=commit)
        if commit:
            area_id = margins.area_id
            transaction.on_commit(lambda: wave_results_weigh(area_id=area_id))
        return margins


class CensusImportForm(forms.Form):
    area = forms.ModelChoiceField(queryset=Area.objects.all())
    question = forms.ChoiceField(
        choices=[(key, f"{item.text} ({item.census_table})") for key, item in PROFILE.items()],
        help_text="The profile question this census table gives the population of.",
    )
    file = forms.FileField(
        label="Census 2021 table (CSV from Nomis)",
        help_text="As downloaded: a bulk file (e.g. census2021-ts008-lsoa.csv) or a query "
        "download saved as CSV.",
    )
    geography_codes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Census areas making up the area",
        help_text="Codes of the output areas or LSOAs, separated by commas or new lines. "
        "Leave empty to keep those already saved for the area, or when the file has one "
        "row for the whole area.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(f"The file is over {MAX_BYTES // 1024 // 1024} MB.")
        return upload
