"""The resident's survey form, built from the survey's questions."""

from django import forms
from signpost.public_forms import HoneypotFormMixin
from signpost.sanitise import clean_text

from .blocks import Question
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
        label="Code from your leaflet",
        help_text="Eight letters and numbers, for example ABCD-2345.",
    )

    def __init__(self, *args, questions: list[Question], code_required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["code"].required = code_required
        if code_required:
            self.fields["code"].error_messages["required"] = (
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
                    "required": f"Answer '{question.text}', it is needed.",
                    "max_length": f"Please keep this to {question.max_length:,} characters; "
                    "it has %(show_value)s.",
                },
                **common,
            )
        messages = {
            "required": f"Choose an answer to '{question.text}'.",
            "invalid_choice": "Choose one of the answers shown.",
            "invalid_list": "Choose from the answers shown.",
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
                "Codes have eight letters and numbers. Please check it against your leaflet."
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
                    f"Please keep this to {question.max_length:,} characters; "
                    f"it has {len(text):,}.",
                )
            elif question.required and not text:
                self.add_error(name, f"Answer '{question.text}', it is needed.")
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
