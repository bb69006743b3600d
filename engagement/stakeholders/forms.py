"""Admin forms for the stakeholder register."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from signpost.choosers import user_may_choose
from signpost.sanitise import clean_text
from wagtail.admin.forms import WagtailAdminModelForm

from .models import INFLUENCE_CHOICES, INTEREST_CHOICES, Stakeholder


class StakeholderForm(WagtailAdminModelForm):
    """The stakeholder's details plus its scoring. Changing a score (or scoring a new
    stakeholder) records a dated assessment with its reason; the quadrant follows."""

    score_interest = forms.TypedChoiceField(
        label="Interest",
        choices=INTEREST_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="Interest in the local drugs problem and in the initiative.",
    )
    score_influence = forms.TypedChoiceField(
        label="Influence",
        choices=INFLUENCE_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text="Influence over the problem or over the initiative's delivery.",
    )
    score_assessed_on = forms.DateField(
        label="Assessed on",
        required=False,
        help_text="Defaults to today.",
    )
    score_reason = forms.CharField(
        label="Reason for the scores",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when the scores are set or changed: who said or did what.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.interest is not None:
            self.fields["score_interest"].initial = instance.interest
            self.fields["score_influence"].initial = instance.influence

    @property
    def scores_changed(self) -> bool:
        data = self.cleaned_data
        return (data.get("score_interest"), data.get("score_influence")) != (
            self.instance.interest,
            self.instance.influence,
        )

    def clean(self):
        data = super().clean()
        interest, influence = data.get("score_interest"), data.get("score_influence")
        if self.has_error("score_interest") or self.has_error("score_influence"):
            return data  # an invalid score is reported as such, not as a missing one
        if (interest is None) != (influence is None):
            missing = "score_influence" if influence is None else "score_interest"
            self.add_error(missing, "Score both interest and influence.")
            return data
        if interest is None and self.instance.interest is not None:
            self.add_error("score_interest", "A scored stakeholder cannot be un-scored.")
            return data
        if interest is not None and self.scores_changed:
            # The same rule as stakeholder_assess: what is left once markup is stripped.
            if not clean_text(data.get("score_reason") or ""):
                self.add_error("score_reason", "Say why the stakeholder is scored this way.")
            assessed_on = data.get("score_assessed_on") or timezone.localdate()
            if assessed_on > timezone.localdate():
                self.add_error("score_assessed_on", "An assessment cannot be dated in the future.")
            elif self.instance.assessed_on and assessed_on < self.instance.assessed_on:
                self.add_error(
                    "score_assessed_on",
                    f"The latest assessment is dated {self.instance.assessed_on:%d %b %Y}; "
                    "a new one cannot be dated before it.",
                )
        return data

    def validate_unique(self):
        super().validate_unique()
        name = self.cleaned_data.get("name")
        organisation = self.cleaned_data.get("organisation", "")
        if name:
            clash = Stakeholder.objects.filter(
                name__iexact=name.strip(), organisation__iexact=(organisation or "").strip()
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "name", ValidationError("This stakeholder is already in the register.")
                )


def _labels(choices) -> str:
    labels = [label for _value, label in choices.choices]
    return ", ".join(labels[:-1]) + " or " + labels[-1]


class StakeholderImportRowForm(StakeholderForm):
    """One row of a CSV import, held to the admin form's rules (both scores 1 to 5 with a
    reason, no future dates, the consent rules, a valid email), with messages that name
    the allowed values because the user cannot see a drop-down. Areas are matched by
    ``stakeholders.importing`` against one read of the areas, not a query per row."""

    DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %b %Y", "%d %B %Y"]

    class Meta:
        model = Stakeholder
        fields = [
            "name",
            "organisation",
            "position",
            "stakeholder_type",
            "email",
            "phone",
            "address",
            "preferred_channel",
            "lawful_basis",
            "consent_to_contact",
            "consent_recorded_on",
            "newsletter_list",
            "notes",
        ]
        error_messages = {
            "name": {"required": "Give the stakeholder's name."},
            "stakeholder_type": {
                "required": f"Give the stakeholder's type: {_labels(Stakeholder.Type)}.",
                "invalid_choice": "“%(value)s” is not a stakeholder type. Use one of: "
                f"{_labels(Stakeholder.Type)}.",
            },
            "lawful_basis": {
                "required": "Give the lawful basis for holding these details: "
                f"{_labels(Stakeholder.LawfulBasis)}.",
                "invalid_choice": "“%(value)s” is not a lawful basis. Use one of: "
                f"{_labels(Stakeholder.LawfulBasis)}.",
            },
            "preferred_channel": {
                "invalid_choice": "“%(value)s” is not a channel. Use one of: "
                f"{_labels(Stakeholder.Channel)}, or leave it blank.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("score_interest", "score_influence"):
            self.fields[name].error_messages["invalid_choice"] = (
                "Score from 1 (lowest) to 5 (highest), not “%(value)s”."
            )
        for name in ("consent_recorded_on", "score_assessed_on"):
            self.fields[name].input_formats = self.DATE_FORMATS
            self.fields[name].error_messages["invalid"] = (
                "Write the date as YYYY-MM-DD or DD/MM/YYYY, for example 2025-03-14."
            )

    def validate_unique(self):
        # The import looks for duplicates across the whole file and the register at
        # once, naming the row or stakeholder each one repeats.
        super(StakeholderForm, self).validate_unique()


class EngagementForm(WagtailAdminModelForm):
    """Logging an engagement. Door-to-door sessions name no one; meetings with named
    stakeholders need at least one of them."""

    TEXT_FIELDS = (
        "title",
        "place",
        "streets",
        "issues_raised",
        "actions_agreed",
        "outcome",
        "follow_up_action",
    )
    NEEDS_STAKEHOLDER = {"one_to_one", "phone_call", "email"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("stakeholders")
        if field is not None and not user_may_choose(self.for_user, Stakeholder):
            # Someone who may not see the register may not name anyone from it either:
            # any id posted is refused as not one of the choices.
            field.queryset = Stakeholder.objects.none()

    def clean(self):
        data = super().clean()
        for name in self.TEXT_FIELDS:
            if data.get(name):
                data[name] = clean_text(data[name])
        mode = data.get("mode")
        stakeholders = data.get("stakeholders")
        if mode == "door_to_door" and stakeholders:
            self.add_error(
                "stakeholders",
                "Door-to-door sessions record counts and themes only, not who was met.",
            )
        if mode in self.NEEDS_STAKEHOLDER and not stakeholders:
            self.add_error("stakeholders", "Choose the stakeholder(s) this was with.")
        return data
