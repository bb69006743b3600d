"""The resident's survey form, built from the survey's questions; and the analyst's forms in
the admin: choosing the waves to compare, publishing "you said, we did", issuing codes."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from signpost.public_forms import HoneypotFormMixin
from signpost.sanitise import clean_text

from .blocks import Question
from .models import SurveyWave
from .services import CODE_LENGTH, code_normalise

CODE_FIELD = "code"


def raw_text_limit(question: Question) -> int:
    """The most characters accepted as typed: room for markup and spacing that
    sanitising removes, and no more."""
    return 2 * question.max_length + 100


class SurveyForm(HoneypotFormMixin, forms.Form):
    """One field per question, named by its fixed key (prefixed, so keys never clash with
    the honeypot or the code). Free text is sanitised; oversized text is refused with its
    length, never silently cut, so the resident can shorten it."""

    code = forms.CharField(
        required=False,
        max_length=20,
        label=gettext_lazy("Code from your leaflet"),
        help_text=gettext_lazy("Eight letters and numbers, for example ABCD-2345."),
    )

    def __init__(self, *args, questions: list[Question], code_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["code"].required = code_required
        if code_required:
            self.fields["code"].error_messages["required"] = _(
                "Enter the code printed on your leaflet."
            )
        for question in questions:
            self.fields[self.field_name(question)] = self._field_for(question)

    @staticmethod
    def field_name(question: Question) -> str:
        return f"q_{question.key}"

    def _field_for(self, question: Question) -> forms.Field:
        common = {
            "label": question.text,
            "help_text": question.help_text,
            "required": question.required,
        }
        if question.kind == "free_text":
            # Length is checked on what was typed before anything is sanitised, so a huge
            # answer costs nothing; the sanitised text is checked against the real limit.
            return forms.CharField(
                widget=forms.Textarea(attrs={"rows": 4}),
                max_length=raw_text_limit(question),
                error_messages={
                    "required": _("Answer ‘%(question)s’, it is needed.")
                    % {"question": question.text},
                    # Django fills %(show_value)s in: the doubled %% survives this one.
                    "max_length": _(
                        "Please keep this to %(limit)s characters; it has %%(show_value)s."
                    )
                    % {"limit": f"{question.max_length:,}"},
                },
                **common,
            )
        messages = {
            "required": _("Choose an answer to ‘%(question)s’.") % {"question": question.text},
            "invalid_choice": _("Choose one of the answers shown."),
            "invalid_list": _("Choose from the answers shown."),
        }
        if question.multiple:
            return forms.MultipleChoiceField(
                choices=question.options,
                widget=forms.CheckboxSelectMultiple,
                error_messages=messages,
                **common,
            )
        return forms.ChoiceField(
            choices=question.options, widget=forms.RadioSelect, error_messages=messages, **common
        )

    def clean_code(self):
        code = code_normalise(self.cleaned_data.get("code", ""))
        if code and len(code) != CODE_LENGTH:
            raise forms.ValidationError(
                _("Codes have eight letters and numbers. Please check it against your leaflet.")
            )
        return code

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            if question.kind != "free_text":
                continue
            name = self.field_name(question)
            if name not in cleaned:
                continue
            text = clean_text(cleaned[name])
            if len(text) > question.max_length:
                self.add_error(
                    name,
                    _("Please keep this to %(limit)s characters; it has %(count)s.")
                    % {"limit": f"{question.max_length:,}", "count": f"{len(text):,}"},
                )
            elif question.required and not text:
                self.add_error(
                    name, _("Answer ‘%(question)s’, it is needed.") % {"question": question.text}
                )
            else:
                cleaned[name] = text
        return cleaned

    def answers(self) -> dict[str, list[str] | str]:
        """Validated answers by question key: a list of values, or the free text."""
        result: dict[str, list[str] | str] = {}
        for question in self.questions:
            value = self.cleaned_data.get(self.field_name(question))
            if question.kind == "free_text":
                result[question.key] = value or ""
            elif question.multiple:
                result[question.key] = list(value or [])
            else:
                result[question.key] = [value] if value else []
        return result

    def question_fields(self):
        """(question, bound field) pairs in the survey's order, for the template."""
        return [(q, self[self.field_name(q)]) for q in self.questions]


def comparison_area_errors(baseline, follow_up, comparison_baseline, comparison_follow_up):
    """Why two waves cannot serve as the comparison area for a baseline and follow-up."""
    errors = []
    if comparison_baseline.area_id != comparison_follow_up.area_id:
        errors.append("The comparison area's two waves must be in the same area.")
    if not comparison_baseline.area.is_comparison_area:
        errors.append(
            f"{comparison_baseline.area} is not marked as a comparison area (edit the area)."
        )
    if comparison_baseline.area_id in (baseline.area_id, follow_up.area_id):
        errors.append("The comparison area must be another area than the operation's.")
    if {comparison_baseline.survey_id, comparison_follow_up.survey_id} != {
        baseline.survey_id,
        follow_up.survey_id,
    }:
        errors.append("The comparison area must run the same survey.")
    if (comparison_baseline.kind, comparison_follow_up.kind) != (
        SurveyWave.BASELINE,
        SurveyWave.FOLLOW_UP,
    ):
        errors.append("Choose the comparison area's baseline, then its follow-up.")
    return errors


class ComparisonAreaForm(forms.Form):
    comparison_baseline = forms.ModelChoiceField(
        queryset=SurveyWave.objects.filter(area__is_comparison_area=True).select_related(
            "survey", "area"
        ),
        required=False,
        label="Comparison area before (optional)",
        help_text="The same survey in an area where no operation ran, over the same weeks.",
    )
    comparison_follow_up = forms.ModelChoiceField(
        queryset=SurveyWave.objects.filter(area__is_comparison_area=True).select_related(
            "survey", "area"
        ),
        required=False,
        label="Comparison area after (optional)",
    )
    baseline = follow_up = None

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("comparison_baseline"), cleaned.get("comparison_follow_up")
        if not first and not second:
            return cleaned
        if not (first and second):
            raise forms.ValidationError("Choose both of the comparison area's waves, or neither.")
        baseline = cleaned.get("baseline", self.baseline)
        follow_up = cleaned.get("follow_up", self.follow_up)
        if baseline and follow_up:
            errors = comparison_area_errors(baseline, follow_up, first, second)
            if errors:
                raise forms.ValidationError(errors)
        return cleaned


class ChooseWavesForm(ComparisonAreaForm):
    baseline = forms.ModelChoiceField(
        queryset=SurveyWave.objects.select_related("survey", "area"), label="Before (baseline)"
    )
    follow_up = forms.ModelChoiceField(
        queryset=SurveyWave.objects.select_related("survey", "area"), label="After (follow-up)"
    )
    field_order = ["baseline", "follow_up", "comparison_baseline", "comparison_follow_up"]

    def clean(self):
        if self.data.get("baseline") and self.data.get("baseline") == self.data.get("follow_up"):
            raise forms.ValidationError("Choose two different waves.")
        return super().clean()


class PublishForm(forms.Form):
    title = forms.CharField(max_length=255)
    you_said = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="You said",
        help_text="What residents told us.",
    )
    we_did = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label="We did",
        help_text="What partners did about it.",
    )
    what_changed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        label="What the survey shows",
        help_text="Starts from the plain-English summary. Keep it honest: no claim that the "
        "operation caused a change.",
    )


class IssueCodesForm(forms.Form):
    wave = forms.ModelChoiceField(queryset=SurveyWave.objects.select_related("survey", "area"))
    count = forms.IntegerField(
        min_value=1,
        max_value=50_000,
        label="How many codes",
        help_text="One per household. The printing app makes per-household leaflets itself; "
        "use this for codes you hand out another way.",
    )
