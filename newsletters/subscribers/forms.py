"""Public forms: sign-up and preferences. Every text field is cleaned through
``signpost.sanitise``; the sign-up form carries the honeypot."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from signpost.languages import language_choices
from signpost.public_forms import HoneypotFormMixin
from signpost.sanitise import clean_text

from engagement.models import Area, normalise_postcode

from .consent import CONSENT_WORDING, CURRENT_WORDING_VERSION, current_wording
from .models import Topic

POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}$")

# Throwaway-mailbox services: a subscription to one would lapse unread.
DISPOSABLE_DOMAINS = {
    "mailinator.com",
    "guerrillamail.com",
    "10minutemail.com",
    "tempmail.com",
    "temp-mail.org",
    "yopmail.com",
    "trashmail.com",
    "sharklasers.com",
    "getnada.com",
    "dispostable.com",
    "throwawaymail.com",
    "maildrop.cc",
}


def clean_email_address(value: str) -> str:
    email = value.strip().lower()
    domain = email.rpartition("@")[2]
    disposable = DISPOSABLE_DOMAINS | {
        d.lower() for d in settings.SIGNPOST_DISPOSABLE_EMAIL_DOMAINS
    }
    if domain in disposable:
        raise ValidationError(
            _("This looks like a temporary mailbox. Please use an address you will keep reading.")
        )
    if "." not in domain:
        raise ValidationError(_("Enter a full email address, like name@example.com."))
    return email


def clean_postcode_value(value: str) -> str:
    postcode = normalise_postcode(clean_text(value, max_length=10))
    if postcode and not POSTCODE_RE.match(postcode):
        raise ValidationError(_("Enter a full UK postcode, like HB1 4AB."))
    return postcode


class SubscriberDetailsForm(forms.Form):
    name = forms.CharField(
        label=_("Your first name (optional)"),
        required=False,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    postcode = forms.CharField(
        label=_("Your postcode"),
        max_length=10,
        help_text=_("So we can send news about your area. We do not keep your full address."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "spellcheck": "false"}),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("What would you like to hear about?"),
        queryset=Topic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to hear about everything."),
    )

    def clean_name(self):
        return clean_text(self.cleaned_data["name"], max_length=120)

    def clean_postcode(self):
        return clean_postcode_value(self.cleaned_data["postcode"])


def _area_for_slug(slug: str) -> Area | None:
    # Only a well-formed slug reaches the database: the query string is anyone's to write.
    if not slug or slug_re.fullmatch(slug) is None:
        return None
    return Area.objects.filter(slug=slug).first()


class SignUpForm(HoneypotFormMixin, SubscriberDetailsForm):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    consent = forms.BooleanField(
        # The wording of the version in the page's language, read when the form is shown.
        label=lazy(current_wording, str)(),
        error_messages={"required": _("Please tick the box to agree to receive email updates.")},
    )
    # Set from a leaflet's or sign's QR code (``?area=<slug>``), and shown by name only
    # then: the page never lists the areas, which would announce where operations are.
    area = forms.SlugField(required=False, widget=forms.HiddenInput)
    wording_version = forms.CharField(widget=forms.HiddenInput, initial=CURRENT_WORDING_VERSION)

    field_order = ["email", "name", "postcode", "area", "topics", "consent", "website"]

    def __init__(self, *args, area_slug: str = "", **kwargs):
        """``area_slug`` preselects an area; an unknown one preselects nothing. With an
        area known the form does not ask for a postcode: the area decides, and the form
        sent back must still name a real area, or the postcode is asked for after all."""
        super().__init__(*args, **kwargs)
        if self.is_bound:
            area_slug = self.data.get("area", "")
        self.preselected_area = _area_for_slug(area_slug)
        if self.preselected_area:
            self.initial["area"] = self.preselected_area.slug
            del self.fields["postcode"]

    def clean_email(self):
        return clean_email_address(self.cleaned_data["email"])

    def clean_area(self) -> Area | None:
        """The chosen area, or None (the postcode decides)."""
        return self.preselected_area

    def clean_wording_version(self):
        version = self.cleaned_data["wording_version"]
        return version if version in CONSENT_WORDING else CURRENT_WORDING_VERSION


class PreferencesForm(SubscriberDetailsForm):
    language = forms.ChoiceField(
        label=_("The language of your emails"),
        choices=language_choices,
        widget=forms.RadioSelect,
        # Left out (an older copy of the page): the language stays as it is.
        required=False,
    )

    def clean_language(self) -> str | None:
        return self.cleaned_data["language"] or None

    def __init__(self, *args, area: Area | None = None, **kwargs):
        """A subscriber who signed up for an area (from its page, a survey or a leaflet)
        may have given no postcode: they keep their area without giving one now."""
        super().__init__(*args, **kwargs)
        if area is not None:
            postcode = self.fields["postcode"]
            postcode.required = False
            postcode.label = _("Your postcode (optional)")
            postcode.help_text = _(
                "You get news about %(area)s. Give your postcode only to get news about "
                "where you live instead. We do not keep your full address."
            ) % {"area": area.name}
