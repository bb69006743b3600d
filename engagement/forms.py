"""Admin forms for the stakeholder register."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm

from .models import INFLUENCE_CHOICES, INTEREST_CHOICES


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
        if (interest is None) != (influence is None):
            missing = "score_influence" if influence is None else "score_interest"
            self.add_error(missing, "Score both interest and influence.")
            return data
        if interest is None and self.instance.interest is not None:
            self.add_error("score_interest", "A scored stakeholder cannot be un-scored.")
            return data
        if interest is not None and self.scores_changed:
            if not (data.get("score_reason") or "").strip():
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
            from .models import Stakeholder

            clash = Stakeholder.objects.filter(
                name__iexact=name.strip(), organisation__iexact=(organisation or "").strip()
            ).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "name", ValidationError("This stakeholder is already in the register.")
                )


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

    def clean(self):
        from signpost.sanitise import clean_text

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
