"""The crime evaluation's admin forms: an upload, a ring's width, and the evaluation's
crime types as tick boxes."""

from django import forms
from django.conf import settings
from wagtail.admin.forms import WagtailAdminModelForm

from .models import CrimeArea
from .police_uk import CRIME_TYPE_CHOICES, upload_problems


class CrimeUploadForm(forms.Form):
    file = forms.FileField(
        label="police.uk street file",
        help_text="A YYYY-MM-<force>-street.csv file, or the zip of month folders "
        "data.police.uk gives you.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SIGNPOST_CRIME_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {upload.size / 1e6:.0f} MB; the largest accepted is "
                f"{limit / 1e6:.0f} MB. Import a force's months in several zips."
            )
        if not upload.name.lower().endswith((".csv", ".zip")):
            raise forms.ValidationError("Choose a .csv street file or a .zip of them.")
        problems = upload_problems(
            upload,
            name=upload.name,
            max_unzipped_bytes=settings.SIGNPOST_CRIME_IMPORT_MAX_UNZIPPED_BYTES,
        )
        if problems:
            raise forms.ValidationError(problems)
        return upload


class RingForm(forms.Form):
    width_m = forms.IntegerField(
        label="Width (metres)",
        min_value=50,
        max_value=5000,
        initial=400,
        help_text="Displacement studies often use 250 to 500 m: about as far as someone "
        "would walk to a new spot.",
    )
    name = forms.CharField(max_length=120, required=False, help_text="Leave empty for a name.")

    def __init__(self, *args, around: CrimeArea, **kwargs):
        super().__init__(*args, **kwargs)
        self.around = around

    def clean(self):
        cleaned = super().clean()
        width = cleaned.get("width_m")
        name = cleaned.get("name", "").strip()
        if width is None:
            return cleaned
        cleaned["name"] = name or self.around.ring_name(width)
        if CrimeArea.objects.filter(name__iexact=cleaned["name"]).exists():
            field = "name" if name else None
            self.add_error(
                field,
                f"An area is already called ‘{cleaned['name']}’: give this ring another name.",
            )
        return cleaned


class EvaluationForm(WagtailAdminModelForm):
    crime_types = forms.MultipleChoiceField(
        choices=CRIME_TYPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text="The crime types the operation aimed at (drugs, anti-social behaviour, "
        "possession of weapons…).",
    )
