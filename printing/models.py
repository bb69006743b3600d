"""Printed leaflets and removable signs with QR codes (guide, section 8: "Leaflets and
newsletters", "Removable signs", "Door to door calls").

A ``PrintTemplate`` holds the words; a ``PrintRun`` is one batch printed for an operation
and area in one format, with its QR target; each run has a ``ShortLink`` (``/q/<code>``)
whose scans are counted, and a sign run has one ``Sign`` per sign, each with its own
short link, logged when it goes up and comes down.
"""

import datetime
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from signpost.links import absolute_url
from signpost.storage import private_storage
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import TranslatableMixin
from wagtail.search import index

from engagement.models import Activity

PRINT_TEXT_FEATURES = ["bold", "italic", "ul", "ol", "link"]

# Short codes avoid letters and digits that are easily confused when typed by hand.
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
SHORT_CODE_LENGTH = 6


def short_code_generate() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


class Kind(models.TextChoices):
    LEAFLET = "leaflet", "Leaflet"
    SIGN = "sign", "Removable sign"


@dataclass(frozen=True)
class FormatSpec:
    label: str
    kind: str
    page_size: str  # CSS @page size keyword
    width_mm: int
    height_mm: int
    sides: int  # pages per printed item


class PrintFormat(models.TextChoices):
    A5_LEAFLET_ONE_SIDED = "a5_leaflet_1", "A5 leaflet, one-sided"
    A5_LEAFLET_TWO_SIDED = "a5_leaflet_2", "A5 leaflet, two-sided"
    A4_LEAFLET_ONE_SIDED = "a4_leaflet_1", "A4 leaflet, one-sided"
    A4_LEAFLET_TWO_SIDED = "a4_leaflet_2", "A4 leaflet, two-sided"
    A4_SIGN = "a4_sign", "A4 removable sign"
    A3_SIGN = "a3_sign", "A3 removable sign"


FORMATS: dict[str, FormatSpec] = {
    PrintFormat.A5_LEAFLET_ONE_SIDED: FormatSpec("A5 leaflet", Kind.LEAFLET, "A5", 148, 210, 1),
    PrintFormat.A5_LEAFLET_TWO_SIDED: FormatSpec("A5 leaflet", Kind.LEAFLET, "A5", 148, 210, 2),
    PrintFormat.A4_LEAFLET_ONE_SIDED: FormatSpec("A4 leaflet", Kind.LEAFLET, "A4", 210, 297, 1),
    PrintFormat.A4_LEAFLET_TWO_SIDED: FormatSpec("A4 leaflet", Kind.LEAFLET, "A4", 210, 297, 2),
    PrintFormat.A4_SIGN: FormatSpec("A4 sign", Kind.SIGN, "A4", 210, 297, 1),
    PrintFormat.A3_SIGN: FormatSpec("A3 sign", Kind.SIGN, "A3", 297, 420, 1),
}


class PrintTemplate(TranslatableMixin, index.Indexed, models.Model):
    """The words on a leaflet or sign, kept by the communications officer and approver.

    Passing on information and help with drug use fall back to the initiative's site
    settings when left empty, so the numbers residents need are kept in one place. A
    template is translated (wagtail-localize, "Translate" in the snippet's menu) for runs
    printed in another language; the settings' wording is English only, so a translated
    template carries its own.
    """

    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LEAFLET)
    headline = models.CharField(
        max_length=90, help_text="Large type at the top, e.g. 'Police are working in your area'."
    )
    what_is_happening = RichTextField(
        features=PRINT_TEXT_FEATURES,
        help_text="What is happening and why, in plain words. Never name suspects or addresses.",
    )
    what_residents_can_do = RichTextField(features=PRINT_TEXT_FEATURES, blank=True)
    passing_on_information = RichTextField(
        features=PRINT_TEXT_FEATURES,
        blank=True,
        help_text="How to pass on information safely. Empty: the initiative's standard wording.",
    )
    help_with_drugs = RichTextField(
        features=PRINT_TEXT_FEATURES,
        blank=True,
        help_text="Where to get help with drug use. Empty: the initiative's standard wording.",
    )
    qr_call_to_action = models.CharField(
        "QR code call to action",
        max_length=120,
        default="Scan to tell us what you think",
        help_text="Printed beside the QR code.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldPanel("headline"),
        FieldPanel("what_is_happening"),
        FieldPanel("what_residents_can_do"),
        MultiFieldPanel(
            [FieldPanel("passing_on_information"), FieldPanel("help_with_drugs")],
            "Safety and help (leave empty for the initiative's wording)",
        ),
        FieldPanel("qr_call_to_action"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(TranslatableMixin.Meta):
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "locale"], name="print_template_name_locale")
        ]

    def __str__(self):
        return self.name


class QRTarget(models.TextChoices):
    SURVEY = "survey", "The perception survey for the area"
    UPDATE_PAGE = "page", "A page on the site (e.g. the operation's update page)"
    SIGNUP = "signup", "Sign-up for email updates"


class PrintLanguage(models.TextChoices):
    """The language a run is printed in. Bilingual is Welsh first, as the Welsh Language
    Standards ask of bilingual signs and documents (Welsh left or on the front)."""

    ENGLISH = "en-gb", "English"
    WELSH = "cy", "Welsh (Cymraeg)"
    URDU = "ur", "Urdu (اردو)"
    WELSH_ENGLISH = "cy+en-gb", "Welsh and English, bilingual (Cymraeg a Saesneg)"


def print_language_codes(language: str) -> list[str]:
    """The language codes a run prints, in the order they appear (Welsh first)."""
    return language.split("+")


class PrintOutput(models.TextChoices):
    """Who prints the PDF: an office printer prints the page as it is; a print shop
    trims larger sheets and needs bleed, crop marks and black as black ink (``prepress``)."""

    OFFICE = "office", "An office printer"
    PRINT_SHOP = "print_shop", "A print shop: 3 mm bleed, crop marks, black ink only"


class PrintRunQuerySet(models.QuerySet):
    def for_listing(self):
        return self.select_related("operation", "area", "template", "created_by")


class PrintRun(models.Model):
    """One batch of leaflets or signs for an operation and area: what was printed, how
    many, by whom and where its QR code leads. Recorded in the activity calendar."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be rendered"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready to download"
        FAILED = "failed", "Failed"

    operation = models.ForeignKey(
        "engagement.Operation", on_delete=models.PROTECT, related_name="print_runs"
    )
    area = models.ForeignKey("engagement.Area", on_delete=models.PROTECT, related_name="print_runs")
    template = models.ForeignKey(
        PrintTemplate, on_delete=models.PROTECT, related_name="print_runs", null=True, blank=True
    )
    newsletter = models.ForeignKey(
        "newsletters.NewsletterPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="print_runs",
        help_text="A newsletter printed as a leaflet, instead of a print template.",
    )
    format = models.CharField(max_length=16, choices=PrintFormat.choices)
    quantity = models.PositiveIntegerField(help_text="How many to print.")
    per_household = models.BooleanField(
        default=False, help_text="One leaflet per household, each with its own survey code."
    )
    qr_target = models.CharField(max_length=16, choices=QRTarget.choices)
    output = models.CharField(
        "printed by",
        max_length=16,
        choices=PrintOutput.choices,
        default=PrintOutput.OFFICE,
        help_text="A print shop's PDF has bleed, crop marks and black set as black ink only.",
    )
    language = models.CharField(
        max_length=16,
        choices=PrintLanguage.choices,
        default=PrintLanguage.ENGLISH,
        help_text="The words and the page the QR code opens are in this language.",
    )
    target_page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    survey_wave = models.ForeignKey(
        "surveys.SurveyWave",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="print_runs",
        help_text="The survey wave the QR code opens, and that household codes belong to.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    items_rendered = models.PositiveIntegerField(default=0)
    page_count = models.PositiveIntegerField(default=0)
    font_scale = models.DecimalField(
        max_digits=3, decimal_places=2, default=1, help_text="Type shrunk to fit the page."
    )
    # Private: a household run carries every household's code (signpost.storage).
    pdf = models.FileField(upload_to="print-runs/", storage=private_storage, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    objects = PrintRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gte=1), name="print_run_quantity")
        ]

    def __str__(self):
        return f"{self.get_format_display()} × {self.quantity} — {self.operation}, {self.area}"

    @property
    def spec(self) -> FormatSpec:
        return FORMATS[self.format]

    @property
    def is_sign_run(self) -> bool:
        return self.spec.kind == Kind.SIGN

    @property
    def items_in_pdf(self) -> int:
        """Leaflets share one code, so their PDF holds one copy for the printer to repeat;
        signs and per-household leaflets each carry their own code."""
        if self.is_sign_run or self.per_household:
            return self.quantity
        return 1

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        return int(100 * self.items_rendered / max(self.items_in_pdf, 1))

    @property
    def activity_mode(self) -> str:
        return Activity.Mode.REMOVABLE_SIGNS if self.is_sign_run else Activity.Mode.LEAFLET_DROP

    @property
    def language_codes(self) -> list[str]:
        """The languages printed, in order: one, or Welsh then English."""
        return print_language_codes(self.language)

    @property
    def qr_language(self) -> str:
        """The language the QR code opens the site in: a bilingual run's first (Welsh),
        whose pages offer English in their switcher."""
        return self.language_codes[0]

    def target_url(self, household_code: str = "") -> str:
        """Where the QR code leads, in the run's language, resolved when scanned so a
        moved page still works. A target that has gone (page unpublished) falls back to
        the page in English, then to the home page."""
        with translation.override(self.qr_language):
            return self._target_url(household_code)

    def _target_url(self, household_code: str) -> str:
        if self.qr_target == QRTarget.SURVEY and self.survey_wave_id:
            return self.survey_wave.get_public_url(code=household_code or None)
        if self.qr_target == QRTarget.UPDATE_PAGE and self.target_page_id:
            page = self.target_page.specific
            if self.qr_language != settings.LANGUAGE_CODE:
                translated = page.get_translations(inclusive=True).filter(
                    locale__language_code=self.qr_language, live=True
                )
                page = translated.first() or page
            if page.live:
                return page.get_full_url()
        if self.qr_target == QRTarget.SIGNUP:
            try:
                query = urlencode({"area": self.area.slug})
                return absolute_url(f"{reverse('newsletters:subscribe')}?{query}")
            except NoReverseMatch:
                pass
        return absolute_url(reverse("wagtail_serve", args=[""]))

    @property
    def for_print_shop(self) -> bool:
        return self.output == PrintOutput.PRINT_SHOP

    def download_filename(self) -> str:
        shop = "-print-shop" if self.for_print_shop else ""
        language = "" if self.language == PrintLanguage.ENGLISH else f"-{self.language}"
        language = language.replace("+", "-")
        return f"{self.operation.slug}-{self.area.slug}-{self.format}{language}{shop}-{self.pk}.pdf"


class Sign(models.Model):
    """One removable sign: where and when it went up, and when it is due down. Signs left
    up after an operation look like neglect, so overdue ones are chased."""

    print_run = models.ForeignKey(PrintRun, on_delete=models.CASCADE, related_name="signs")
    number = models.PositiveSmallIntegerField()
    location = models.CharField(
        max_length=200, blank=True, help_text="Where it is, e.g. 'lamp post outside 12 Wharf St'."
    )
    put_up_at = models.DateTimeField(null=True, blank=True)
    put_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_down_on = models.DateField(null=True, blank=True)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    reminded_on = models.DateField(null=True, blank=True, editable=False)

    panels = [
        FieldPanel("location"),
        FieldPanel("put_up_at"),
        FieldPanel("due_down_on"),
        FieldPanel("taken_down_at"),
    ]

    class Meta:
        ordering = ["print_run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["print_run", "number"], name="sign_number_per_run")
        ]

    def __str__(self):
        where = f" at {self.location}" if self.location else ""
        return f"Sign {self.number} of {self.print_run.quantity}{where} ({self.print_run.area})"

    @property
    def status(self) -> str:
        if self.taken_down_at:
            return "Taken down"
        if self.put_up_at:
            return "Overdue" if self.is_overdue() else "Up"
        return "Not yet up"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(
            self.put_up_at
            and not self.taken_down_at
            and self.due_down_on
            and self.due_down_on < today
        )

    def clean(self):
        errors = {}
        if self.taken_down_at and not self.put_up_at:
            errors["taken_down_at"] = "Record when the sign went up before it came down."
        if self.taken_down_at and self.put_up_at and self.taken_down_at < self.put_up_at:
            errors["taken_down_at"] = "A sign cannot come down before it went up."
        if self.due_down_on and self.put_up_at and self.due_down_on < self.put_up_at.date():
            errors["due_down_on"] = "The sign is due down on or after the day it went up."
        if self.put_up_at and not self.location.strip():
            errors["location"] = "Say where the sign is, so it can be found and taken down."
        if errors:
            raise ValidationError(errors)


class ShortLink(models.Model):
    """``/q/<code>``: the address a QR code holds and the words under it. Counts scans per
    print run and per sign; stores no address, device or anything else about who scanned."""

    code = models.CharField(max_length=12, unique=True)
    print_run = models.ForeignKey(PrintRun, on_delete=models.CASCADE, related_name="short_links")
    sign = models.OneToOneField(
        Sign, on_delete=models.CASCADE, null=True, blank=True, related_name="short_link"
    )
    scan_count = models.PositiveIntegerField(default=0)
    last_scanned_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["print_run"],
                condition=models.Q(sign__isnull=True),
                name="one_run_link_per_print_run",
            )
        ]

    def __str__(self):
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("printing:short_link", kwargs={"code": self.code})

    def full_url(self) -> str:
        return absolute_url(self.get_absolute_url())

    def display_address(self) -> str:
        """The short address printed under the QR code, without the scheme."""
        return self.full_url().split("://", 1)[-1]
