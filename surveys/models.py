"""Perception surveys, waves and anonymous responses.

The guide (section 9, "Collecting baseline measures") asks for a baseline survey before an
operation and the same survey after it. A ``SurveyPage`` holds the questions, each with a
fixed key; a ``SurveyWave`` runs it in one area for a few weeks; each ``Response`` is
anonymous and its ``Answer`` rows are counted by the database.
"""

import math
import re
import secrets

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from signpost.blocks import RICH_TEXT_FEATURES
from signpost.languages import language_for
from signpost.links import absolute_url
from signpost.wording import STATED_LENGTH_MESSAGE, stated_length
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Locale, Page
from wagtail.search import index
from wagtail_localize.models import TranslationSource

from engagement.models import Area

from .blocks import QuestionStreamBlock, questions_from_stream


def survey_minutes(questions) -> int:
    """How long a survey takes, from its questions: about 10 seconds to read a choice
    question and 2 more per answer offered, a minute for free text."""
    seconds = 0
    for question in questions:
        if question.is_choice:
            seconds += 10 + 2 * len(question.options)
        else:
            seconds += 60
    return max(1, math.ceil(seconds / 60))


def survey_length_text(questions) -> str:
    count = len(questions)
    minutes = survey_minutes(questions)
    asked = ngettext(
        "This survey has %(count)d question", "This survey has %(count)d questions", count
    ) % {"count": count}
    takes = ngettext(
        "and takes about %(minutes)d minute.", "and takes about %(minutes)d minutes.", minutes
    ) % {"minutes": minutes}
    return f"{asked} {takes}"


def areas_named_in(text: str) -> list[str]:
    """The names of the initiative's areas that ``text`` mentions."""
    return [
        name
        for name in Area.objects.values_list("name", flat=True)
        if re.search(rf"\b{re.escape(name)}\b", text or "", re.IGNORECASE)
    ]


def _wording(survey) -> list:
    """What a resident reads of a survey: its questions, their answers and hints."""
    return [survey.title, survey.introduction] + [
        (q.key, q.text, q.help_text, q.options) for q in survey.get_questions()
    ]


class SurveyPage(Page):
    """A perception survey: the questions, asked the same way in every wave."""

    introduction = models.TextField(
        blank=True,
        default="It is anonymous: we do not ask for your name, and we do not record your "
        "email or internet address.",
        help_text="How long the survey takes is worked out from its questions and shown "
        "beside this, on the page and on leaflets: do not state it here.",
    )
    questions = StreamField(QuestionStreamBlock(), use_json_field=True)
    thank_you_text = RichTextField(
        features=RICH_TEXT_FEATURES,
        blank=True,
        default="<p>Thank you. Your answers help us see whether things are getting better.</p>",
    )
    closed_text = models.TextField(
        blank=True,
        default="This survey is not open at the moment. Thank you for wanting to take part.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("introduction"),
        FieldPanel("questions"),
        MultiFieldPanel([FieldPanel("thank_you_text"), FieldPanel("closed_text")], "Messages"),
    ]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    subpage_types = ["surveys.YouSaidWeDidPage"]
    template = "surveys/survey_page.html"

    def get_questions(self):
        return questions_from_stream(self.questions)

    @property
    def estimated_minutes(self) -> int:
        return survey_minutes(self.get_questions())

    @property
    def length_text(self) -> str:
        """The one sentence every page, leaflet, sign and email uses for the survey's
        length, so none can disagree with another."""
        return survey_length_text(self.get_questions())

    # --- Translations ------------------------------------------------------------------
    # A translation shares its source's question and answer keys (wagtail-localize leaves
    # the keys, RegexBlocks and choices, out of what it sends for translation), so answers
    # in every language are counted together. Its wording must keep up with the source's.

    def source_survey(self) -> "SurveyPage":
        """The survey in the site's default language, which waves run and keys come from."""
        if self.locale.language_code == settings.LANGUAGE_CODE:
            return self
        default = Locale.objects.filter(language_code=settings.LANGUAGE_CODE).first()
        source = self.get_translation_or_none(default) if default else None
        return source.specific if source else self

    def question_keys(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each question's key with its answers' keys, in the editor's order."""
        return [(q.key, tuple(v for v, _ in q.options)) for q in self.get_questions()]

    def keys_translatable(self) -> list[list[tuple[str, tuple[str, ...]]]]:
        """The keys a translation of this survey may have: its own, or those it had when
        last synced for translation (a translation saved before the next sync still
        follows that)."""
        allowed = [self.question_keys()]
        source = TranslationSource.objects.get_for_instance_or_none(self)
        if source is not None:
            allowed.append(source.as_instance().question_keys())
        return allowed

    def translation_behind_reason(self, translation: "SurveyPage") -> str:
        """Why ``translation`` (a live translation of this source survey) is behind its
        wording, or "": the source was published again since it was last synced for
        translation ("behind"), some of its text is still untranslated ("untranslated":
        wagtail-localize fills that with the source's words), or the up-to-date
        translation was not published ("behind")."""
        source = TranslationSource.objects.get_for_instance_or_none(self)
        tracked = (
            source.translations.filter(target_locale=translation.locale, enabled=True).first()
            if source
            else None
        )
        published = self.last_published_at
        if tracked is None:
            # Copied without wagtail-localize: only the dates say whether it kept up.
            if (
                published
                and translation.last_published_at
                and published > translation.last_published_at
            ):
                return "behind"
            return ""
        if published and published > source.last_updated_at:
            return "behind"
        total, translated = tracked.get_progress()
        if translated < total:
            return "untranslated"
        # Synced and translated, but is that what residents read? The page the
        # translation would make now, against the published one.
        made = source.get_ephemeral_translated_instance(translation.locale, fallback=True)
        if _wording(made) != _wording(translation):
            return "behind"
        return ""

    def live_translations(self):
        return (
            SurveyPage.objects.live()
            .filter(translation_key=self.translation_key)
            .exclude(locale_id=self.locale_id)
            .select_related("locale")
        )

    def translations_behind(self) -> list[tuple[str, str]]:
        """(language code, reason) for each live translation behind this survey."""
        behind = []
        for translation in self.live_translations():
            reason = self.translation_behind_reason(translation)
            if reason:
                behind.append((translation.locale.language_code, reason))
        return behind

    def for_language(self, code: str) -> "SurveyPage":
        """The survey residents reading ``code`` answer: its live translation when it is
        up to date with this (source) survey, otherwise this survey, so everyone in a
        wave answers the same wording."""
        if code == self.locale.language_code:
            return self
        translation = self.live_translations().filter(locale__language_code=code).first()
        if translation is None or self.translation_behind_reason(translation):
            return self
        return translation

    def clean(self):
        super().clean()
        errors = {}
        source = self.source_survey() if self.pk else self
        if source.pk != self.pk and self.question_keys() not in source.keys_translatable():
            # Beside the form, not on the stream: a StreamField shows only its blocks' errors.
            errors[NON_FIELD_ERRORS] = (
                "A translation keeps its source's question and answer keys, so that answers "
                f"in every language are counted together. Change the questions in the "
                f"{language_for(source.locale.language_code).english_name} survey, then "
                "update this translation from it in Translations."
            )
        words = stated_length(self.introduction)
        if words:
            errors["introduction"] = STATED_LENGTH_MESSAGE.format(words=words)
        if self.pk:
            elsewhere = [
                name
                for name in areas_named_in(self.title)
                if self.waves.exclude(area__name__iexact=name).exists()
            ]
            if elsewhere:
                errors["title"] = (
                    f"The title names {elsewhere[0]}, but this survey also runs in other "
                    "areas: give it a title that fits every area it runs in (each area's "
                    "page names its own area beside it)."
                )
        if errors:
            raise ValidationError(errors)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        today = timezone.localdate()
        # A translation's waves are its source's: one wave, every language.
        context["open_waves"] = self.source_survey().waves.open_on(today).select_related("area")
        return context


class SurveyWaveQuerySet(models.QuerySet):
    def open_on(self, day):
        return self.filter(opens_on__lte=day, closes_on__gte=day)


class SurveyWave(models.Model):
    """One run of a survey in one area: before an operation (baseline) or after it."""

    BASELINE = "baseline"
    FOLLOW_UP = "follow_up"
    KIND_CHOICES = [(BASELINE, "Baseline"), (FOLLOW_UP, "Follow-up")]

    survey = models.ForeignKey(SurveyPage, on_delete=models.PROTECT, related_name="waves")
    kind = models.CharField(max_length=16, choices=KIND_CHOICES, default=BASELINE)
    area = models.ForeignKey(
        "engagement.Area", on_delete=models.PROTECT, related_name="survey_waves"
    )
    operation = models.ForeignKey(
        "engagement.Operation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_waves",
    )
    slug = models.SlugField(
        max_length=60,
        unique=True,
        help_text="The public address: /survey/<slug>/. Printed on leaflets, so keep it short.",
    )
    opens_on = models.DateField()
    closes_on = models.DateField(help_text="The last day answers are accepted.")
    requires_code = models.BooleanField(
        default=False,
        help_text="Only accept answers that carry a household code printed on a leaflet. "
        "A wave that household leaflets point at always requires one.",
    )

    objects = SurveyWaveQuerySet.as_manager()

    panels = [
        FieldPanel("survey"),
        FieldPanel("kind"),
        FieldPanel("area"),
        FieldPanel("operation"),
        FieldPanel("slug"),
        MultiFieldPanel([FieldPanel("opens_on"), FieldPanel("closes_on")], "Dates"),
        FieldPanel("requires_code"),
    ]

    class Meta:
        ordering = ["survey", "area", "opens_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="surveywave_closes_after_opening",
            )
        ]

    def __str__(self):
        return f"{self.survey.title}: {self.area.name}, {self.get_kind_display().lower()} ({self.opens_on:%b %Y})"

    def clean(self):
        errors = {}
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = "The closing date must be on or after the opening date."
        if (
            self.operation_id
            and self.area_id
            and not self.operation.areas.filter(pk=self.area_id).exists()
        ):
            errors["operation"] = f"{self.operation} does not cover {self.area}."
        if (
            self.pk
            and not self.requires_code
            and self.codes.filter(print_run_id__isnull=False, active=True).exists()
        ):
            errors["requires_code"] = (
                "Household leaflets point at this wave, so it must require their codes: "
                "otherwise one household could answer many times."
            )
        if self.survey_id and self.area_id:
            other = [
                name
                for name in areas_named_in(self.survey.title)
                if name.lower() != self.area.name.lower()
            ]
            if other:
                errors["survey"] = (
                    f"“{self.survey.title}” is named after {other[0]}: residents of "
                    f"{self.area.name} would be asked to take another area's survey. Give "
                    "the survey a title that fits every area it runs in first."
                )
        if self.survey_id:
            errors.update(self._translation_errors())
        if self.operation_id and self.area_id and self.area.is_comparison_area:
            errors["operation"] = (
                f"{self.area} is a comparison area, where no operation runs: leave the "
                "operation empty."
            )
        if errors:
            raise ValidationError(errors)

    def _translation_errors(self) -> dict[str, str]:
        """A wave runs its survey in the default language and every live translation; a
        translation behind the survey's wording would ask some residents something else,
        so the wave cannot be open while one is."""
        survey = self.survey
        if survey.locale.language_code != settings.LANGUAGE_CODE:
            return {
                "survey": "Choose the survey in English: a wave runs it and its "
                "translations together, each resident in their own language."
            }
        if not (self.opens_on and self.closes_on and self.is_open()):
            return {}
        source = language_for(survey.locale.language_code).english_name
        messages = []
        for code, reason in survey.translations_behind():
            name = language_for(code).english_name
            if reason == "untranslated":
                messages.append(
                    f"The {name} translation still has text in {source}: finish it in "
                    "Translations before this wave opens."
                )
            else:
                messages.append(
                    f"The {name} translation is behind the {source} wording: update it "
                    "in Translations before this wave opens."
                )
        return {"opens_on": messages} if messages else {}

    @property
    def call_to_action(self) -> str:
        """The button that leads to this wave, naming its own area: one survey runs in
        several areas (a comparison area asks the same questions), so its title alone
        would send a Northgate resident to "the Eastfield survey"."""
        return f"Take the {self.area.name} survey"

    def is_open(self, day=None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on

    @property
    def public_path(self) -> str:
        return reverse("surveys:wave", kwargs={"slug": self.slug})

    def get_public_url(self, code: "str | ResponseCode | None" = None) -> str:
        """The absolute address residents open, optionally carrying a household code after
        "#": browsers never send that part to a server, so no log records it, and the
        survey page's script moves it into the code form."""
        url = absolute_url(self.public_path)
        if code:
            url += "#" + getattr(code, "code", code)
        return url


# Household codes: no 0/O, 1/I/L or U, as they are read off paper and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 8


class ResponseCode(models.Model):
    """A single-use household code printed on a leaflet.

    It proves a response came from a leaflet drop, and stops one leaflet being used to
    answer many times. It is never linked to the response it allowed: it keeps only that
    it was used, not when, and the answers it let in are stored later, in a shuffled batch
    of at least ``SURVEYS_RESPONSE_BATCH_MIN`` (``surveys.services.responses_flush``).
    """

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=16, unique=True)
    # The printing app's PrintRun that carried the code, when there was one.
    print_run_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    issued_on = models.DateField(default=timezone.localdate)
    used = models.BooleanField(default=False)
    # A household leaflet's codes are drawn before its PDF is made and accepted only once
    # the PDF is delivered; a run that fails withdraws them.
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["wave", "issued_on", "code"]

    def __str__(self):
        return self.display

    @property
    def display(self) -> str:
        """The code as printed: two groups of four, easy to read out and type."""
        return f"{self.code[:4]}-{self.code[4:]}"

    def get_public_url(self) -> str:
        return self.wave.get_public_url(code=self.code)


def _shuffle_key() -> int:
    return secrets.randbits(62)


class PendingResponse(models.Model):
    """Answers received but not yet stored as a ``Response``.

    Sending a survey spends the household code and writes this row in one transaction, so
    a failure leaves neither. The row lives only until the next flush
    (``surveys.services.responses_flush``), which moves at least
    ``SURVEYS_RESPONSE_BATCH_MIN`` of a wave's pending answers into ``Response`` rows in
    one later transaction, in random order: the stored response then shares its
    transaction, its neighbours in id order and its arrival with the whole batch, never
    with one code. Nothing is counted or published while answers are pending.
    """

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="+")
    # Question key → chosen values (a list) or the free text (a string).
    answers = models.JSONField()
    language = models.CharField(
        max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    def __str__(self):
        return f"Pending answers to {self.wave}"


class Response(models.Model):
    """One resident's anonymous answers. No address, account, email, code or date: the
    wave is the finest time it carries, and ``shuffle_key`` (random) is the only order in
    which responses are ever listed."""

    wave = models.ForeignKey(SurveyWave, on_delete=models.PROTECT, related_name="responses")
    shuffle_key = models.BigIntegerField(default=_shuffle_key)
    # The language the survey was answered in: one more coarse attribute, published only
    # as a suppressed breakdown and shown in the raw export only where enough share it.
    language = models.CharField(
        max_length=16, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        ordering = ["wave", "shuffle_key"]
        indexes = [models.Index(fields=["wave", "shuffle_key"], name="response_wave_shuffle")]
        permissions = [("export_response", "Can export anonymous raw responses")]

    def __str__(self):
        return f"Response {self.pk} to {self.wave}"


class Answer(models.Model):
    """One chosen answer (or the free text) to one question, keyed by the question's fixed
    key, so every count is a GROUP BY in the database."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # Repeated from the response so per-wave counts need no join.
    wave = models.ForeignKey(SurveyWave, on_delete=models.PROTECT, related_name="+")
    question_key = models.CharField(max_length=40)
    choice = models.CharField(max_length=40, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["wave", "question_key", "choice"], name="answer_wave_key_choice")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question_key", "choice"], name="answer_once_per_choice"
            )
        ]

    def __str__(self):
        return f"{self.question_key}: {self.choice or self.text[:40]}"


class WaveResults(models.Model):
    """A wave's counts as published: every comparison that residents, partners, reports
    and exports see is built from the latest of these, never from the live tables.

    A new one is taken only when at least ``SURVEYS_SUPPRESSION_THRESHOLD`` responses have
    arrived since the last (``surveys.services.wave_results_publish``), so comparing two
    publications of one wave never shows fewer answers than the threshold: one new
    answer changes nothing anyone outside the analysts' live view can see.
    """

    wave = models.ForeignKey(SurveyWave, on_delete=models.CASCADE, related_name="results")
    taken_on = models.DateField(default=timezone.localdate)
    responses = models.PositiveIntegerField()
    # {question key: {answer value: count}}, and {question key: how many answered it}.
    counts = models.JSONField(default=dict)
    answered = models.JSONField(default=dict)
    # {language code: how many responses were given in it}.
    languages = models.JSONField(default=dict, blank=True)
    # The wave weighted to its area's population (``surveys.weighted.waves.WaveFigures``
    # as JSON), from exactly the responses counted above; without margins when the
    # survey asks no profile question or the area had none when they were taken (its
    # ``problem`` then says which).
    weighting = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["wave", "-responses"]
        get_latest_by = "responses"
        verbose_name_plural = "wave results"

    def __str__(self):
        return f"{self.wave}: {self.responses} responses published on {self.taken_on}"


class YouSaidWeDidPage(Page):
    """ "You said, we did": what residents told a survey, what changed, and what partners did.

    Published from a comparison (guide, section 8, feeding back to the community). The
    figures are a snapshot taken when the page was made, with small counts already
    suppressed, so later responses or settings cannot reveal them.
    """

    baseline = models.ForeignKey(
        SurveyWave, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    follow_up = models.ForeignKey(
        SurveyWave, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    you_said = RichTextField(features=RICH_TEXT_FEATURES, help_text="What residents told us.")
    we_did = RichTextField(features=RICH_TEXT_FEATURES, help_text="What partners did about it.")
    what_changed = models.TextField(
        blank=True,
        help_text="Plain words about the results. Do not claim the operation caused them.",
    )
    results = models.JSONField(default=list, blank=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("you_said"),
        FieldPanel("we_did"),
        FieldPanel("what_changed"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("you_said"),
        index.SearchField("we_did"),
    ]
    parent_page_types = ["surveys.SurveyPage"]
    subpage_types: list[str] = []
    template = "surveys/you_said_we_did_page.html"


# The areas' populations live in their own sub-package under this app's label.
from .population.models import PopulationCount, PopulationMargins  # noqa: E402, F401
