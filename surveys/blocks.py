"""Question blocks for survey pages.

Keys (a question's ``key``, an answer's ``value``, a standard question's ``item``) are
RegexBlocks and ChoiceBlocks, which wagtail-localize does not send for translation
(``wagtail_localize.segments.extract`` takes only text blocks): a translated survey keeps
its source's keys, and only the wording changes. ``SurveyPage.clean`` refuses a
translation whose keys differ all the same.

Every question carries an explicit ``key`` that the editor sets once. Answers are stored
and compared by that key, so rewording a question (or an answer's label) never breaks the
comparison between a baseline and a follow-up wave. Standard questions from the bank use
the bank's key and cannot drift.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError

from .profile import PROFILE
from .question_bank import BANK, HOW_HEARD_OPTIONS, SCALES

KEY_REGEX = r"^[a-z][a-z0-9_]{0,39}$"
KEY_HELP = (
    "A fixed name for this question, e.g. 'park_safety'. Answers are counted by this name, "
    "so keep it the same between waves even if you change the wording."
)
KEY_ERRORS = {
    "invalid": "Use lower-case letters, digits and underscores, starting with a letter (at most 40)."
}
FREE_TEXT_MAX = 2000


class QuestionKind:
    LIKERT = "likert"
    SINGLE = "single_choice"
    MULTIPLE = "multiple_choice"
    FREE_TEXT = "free_text"
    HOW_HEARD = "how_heard"
    STANDARD = "standard"
    PROFILE = "profile"


@dataclass(frozen=True)
class Question:
    """One question as the form, the storage and the statistics see it."""

    key: str
    kind: str
    text: str
    help_text: str
    required: bool
    options: tuple[tuple[str, str], ...] = ()
    positive: frozenset[str] = frozenset()
    max_length: int = 0

    @property
    def multiple(self) -> bool:
        return self.kind == QuestionKind.MULTIPLE

    @property
    def is_choice(self) -> bool:
        return self.kind != QuestionKind.FREE_TEXT

    @property
    def has_positive(self) -> bool:
        return bool(self.positive) and not self.multiple

    @property
    def is_profile(self) -> bool:
        """One of the "who answered" questions, asked last and used for weighting."""
        return self.kind == QuestionKind.PROFILE

    def label_for(self, value: str) -> str:
        return dict(self.options).get(value, value)


def _in_current_language(options) -> tuple[tuple[str, str], ...]:
    """Answer labels from code (the bank's scales, the profile's categories) in the
    language active now: a ``Question`` carries plain text, never lazy translations."""
    return tuple((value, str(label)) for value, label in options)


class _QuestionBase(blocks.StructBlock):
    key = blocks.RegexBlock(
        regex=KEY_REGEX, max_length=40, help_text=KEY_HELP, error_messages=KEY_ERRORS
    )
    text = blocks.CharBlock(max_length=300, label="Question")
    help_text = blocks.CharBlock(max_length=300, required=False, label="Hint")
    required = blocks.BooleanBlock(required=False, default=True)


class LikertQuestionBlock(_QuestionBase):
    scale = blocks.ChoiceBlock(choices=[(k, s.label) for k, s in SCALES.items()], default="agree")

    class Meta:
        icon = "list-ol"
        label = "Likert scale"

    def question(self, value) -> Question:
        scale = SCALES[value["scale"]]
        return Question(
            key=value["key"],
            kind=QuestionKind.LIKERT,
            text=value["text"],
            help_text=value["help_text"],
            required=value["required"],
            options=_in_current_language(scale.options),
            positive=scale.positive,
        )


class AnswerOptionBlock(blocks.StructBlock):
    value = blocks.RegexBlock(
        regex=KEY_REGEX,
        max_length=40,
        help_text="A fixed name for this answer, e.g. 'weekly'.",
        error_messages=KEY_ERRORS,
    )
    label = blocks.CharBlock(max_length=200)
    positive = blocks.BooleanBlock(
        required=False, help_text="Counts towards the question's positive share."
    )


class ChoiceQuestionBlock(_QuestionBase):
    options = blocks.ListBlock(AnswerOptionBlock(), min_num=2, max_num=20)

    def clean(self, value):
        value = super().clean(value)
        seen = [option["value"] for option in value["options"]]
        if len(seen) != len(set(seen)):
            raise blocks.StructBlockValidationError(
                block_errors={"options": ValidationError("Each answer needs its own fixed name.")}
            )
        return value

    def question(self, value) -> Question:
        return Question(
            key=value["key"],
            kind=self.meta.kind,
            text=value["text"],
            help_text=value["help_text"],
            required=value["required"],
            options=tuple((o["value"], o["label"]) for o in value["options"]),
            positive=frozenset(o["value"] for o in value["options"] if o["positive"]),
        )


class SingleChoiceQuestionBlock(ChoiceQuestionBlock):
    class Meta:
        icon = "radio-full"
        label = "Single choice"
        kind = QuestionKind.SINGLE


class MultipleChoiceQuestionBlock(ChoiceQuestionBlock):
    class Meta:
        icon = "tasks"
        label = "Multiple choice"
        kind = QuestionKind.MULTIPLE


class FreeTextQuestionBlock(_QuestionBase):
    max_length = blocks.IntegerBlock(
        min_value=20, max_value=FREE_TEXT_MAX, default=500, help_text="Most characters allowed."
    )

    class Meta:
        icon = "pilcrow"
        label = "Free text"

    def question(self, value) -> Question:
        return Question(
            key=value["key"],
            kind=QuestionKind.FREE_TEXT,
            text=value["text"],
            help_text=value["help_text"],
            required=value["required"],
            max_length=value["max_length"],
        )


class HowHeardQuestionBlock(blocks.StructBlock):
    """Where the resident found the survey, so responses can be attributed to a channel."""

    key = blocks.RegexBlock(
        regex=KEY_REGEX,
        max_length=40,
        default="how_heard",
        help_text=KEY_HELP,
        error_messages=KEY_ERRORS,
    )
    text = blocks.CharBlock(max_length=300, default="How did you hear about this survey?")
    required = blocks.BooleanBlock(required=False, default=False)

    class Meta:
        icon = "help"
        label = "How did you hear about this survey"

    def question(self, value) -> Question:
        return Question(
            key=value["key"],
            kind=QuestionKind.HOW_HEARD,
            text=value["text"],
            help_text="",
            required=value["required"],
            options=_in_current_language(HOW_HEARD_OPTIONS),
        )


class StandardQuestionBlock(blocks.StructBlock):
    """A question from the bank: wording, scale and positive answers come with it."""

    item = blocks.ChoiceBlock(
        choices=[(key, item.wording) for key, item in BANK.items()], label="Standard question"
    )
    required = blocks.BooleanBlock(required=False, default=True)

    class Meta:
        icon = "form"
        label = "Standard perception question"

    def question(self, value) -> Question:
        item = BANK[value["item"]]
        scale = SCALES[item.scale]
        return Question(
            key=value["item"],
            kind=QuestionKind.STANDARD,
            text=item.text,
            help_text=item.help_text,
            required=value["required"],
            options=_in_current_language(scale.options),
            positive=scale.positive,
        )


class ProfileQuestionBlock(blocks.StructBlock):
    """A "who answered" question (age band, sex, tenure, ethnic group) with fixed answers
    matching the census, so a wave can be weighted to its area. Never required, always
    offering "prefer not to say", and asked at the end of the survey whatever its place
    here."""

    item = blocks.ChoiceBlock(
        choices=[(key, item.wording) for key, item in PROFILE.items()],
        label="About the resident",
        help_text="Asked at the end of the survey, optional, with a sentence on why. "
        "Answers are matched to the area's census figures to weight the results.",
    )

    class Meta:
        icon = "user"
        label = "Who answered (for weighting)"

    def question(self, value) -> Question:
        item = PROFILE[value["item"]]
        return Question(
            key=value["item"],
            kind=QuestionKind.PROFILE,
            text=item.text,
            help_text="",
            required=False,
            options=_in_current_language(item.all_options),
        )


class QuestionStreamBlock(blocks.StreamBlock):
    standard = StandardQuestionBlock()
    likert = LikertQuestionBlock()
    single_choice = SingleChoiceQuestionBlock()
    multiple_choice = MultipleChoiceQuestionBlock()
    free_text = FreeTextQuestionBlock()
    how_heard = HowHeardQuestionBlock()
    profile = ProfileQuestionBlock()

    def clean(self, value):
        value = super().clean(value)
        keys = [questions_key(child) for child in value]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise StreamBlockValidationError(
                non_block_errors=ErrorList(
                    [
                        f"Each question needs its own fixed name; used twice: {', '.join(duplicates)}."
                    ]
                )
            )
        return value


def questions_key(child) -> str:
    if child.block_type in ("standard", "profile"):
        return child.value["item"]
    return child.value["key"]


def questions_from_stream(stream) -> list[Question]:
    """The questions in the order residents meet them: the editor's order, with the "who
    answered" questions moved to the end."""
    questions = [child.block.question(child.value) for child in stream]
    return sorted(questions, key=lambda q: q.is_profile)
