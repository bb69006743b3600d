import re

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.models import normalise_postcode

FULL_POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$")


class PostcodeForm(forms.Form):
    """The postcode box: a full UK postcode, written any way a resident types it."""

    postcode = forms.CharField(
        label=_("Your postcode"),
        max_length=12,
        help_text=_("For example, HB4 2AB. We use it only to find your area and do not keep it."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
        error_messages={"required": _("Enter your postcode, for example HB4 2AB.")},
    )

    def clean_postcode(self):
        postcode = normalise_postcode(self.cleaned_data["postcode"])
        if not FULL_POSTCODE_RE.match(postcode):
            raise forms.ValidationError(
                _(
                    "Enter a full postcode, like HB4 2AB. It is on letters and bills sent to your home."
                )
            )
        return postcode
