"""Where and when the initiative works: areas and operations.

Residents, leaflets, signs, survey waves and campaigns all attach to an ``Area``; the
dated enforcement phases they serve are ``Operation`` rows (guide, sections 3 and 8).
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

POSTCODE_PREFIX_RE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?( [0-9])?$")


def normalise_postcode(value: str) -> str:
    """A full UK postcode in its usual form, so 'hb14ab' and 'HB1  4AB' compare equal."""
    compact = "".join(value.upper().split())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def normalise_prefix(value: str) -> str:
    return " ".join(value.upper().split())


class AreaQuerySet(models.QuerySet):
    def for_postcode(self, postcode: str) -> "Area | None":
        """The area whose postcode sector (e.g. 'HB1 4') or, failing that, district
        (e.g. 'HB1') holds the postcode."""
        outward, _, inward = normalise_postcode(postcode).partition(" ")
        sector = f"{outward} {inward[:1]}"
        by_prefix = {
            p: area for area in self.exclude(postcode_prefixes="") for p in area.prefix_list
        }
        return by_prefix.get(sector) or by_prefix.get(outward)


class Area(index.Indexed, models.Model):
    """A neighbourhood or operation area."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    postcode_prefixes = models.TextField(
        blank=True,
        help_text="Postcode districts or sectors in the area, comma separated (e.g. 'HB1 4, HB1 5, HB2').",
    )
    streets = models.TextField(blank=True, help_text="One street per line.")
    household_count = models.PositiveIntegerField(
        validators=[MinValueValidator(1)],
        help_text="Households in the area, for response and reach rates.",
    )
    is_comparison_area = models.BooleanField(
        "Comparison area",
        default=False,
        help_text="No operation runs here: its surveys, over the same weeks as an operation "
        "area's, show what changed anyway (guide, section 9).",
    )

    objects = AreaQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        MultiFieldPanel([FieldPanel("postcode_prefixes"), FieldPanel("streets")], "Extent"),
        FieldPanel("household_count"),
        FieldPanel("is_comparison_area"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("streets"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def prefix_list(self) -> list[str]:
        return [normalise_prefix(p) for p in self.postcode_prefixes.split(",") if p.strip()]

    def clean(self):
        bad = [p for p in self.prefix_list if not POSTCODE_PREFIX_RE.match(p)]
        if bad:
            raise ValidationError(
                {"postcode_prefixes": f"Not a postcode district or sector: {', '.join(bad)}."}
            )


class OperationQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gte=on)
        )


class Operation(index.Indexed, models.Model):
    """A dated enforcement phase in one or more areas: intelligence gathering, the
    arrest day (warrants executed), then consolidation."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    areas = models.ManyToManyField(Area, related_name="operations")
    start_date = models.DateField()
    arrest_day = models.DateField(null=True, blank=True, help_text="When warrants are executed.")
    end_date = models.DateField(null=True, blank=True)
    public_summary = models.TextField(
        blank=True, help_text="What residents may be told. Never name suspects or addresses."
    )

    objects = OperationQuerySet.as_manager()

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("areas"),
        MultiFieldPanel(
            [FieldPanel("start_date"), FieldPanel("arrest_day"), FieldPanel("end_date")], "Dates"
        ),
        FieldPanel("public_summary"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["-start_date", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be on or after the start date."
        if self.arrest_day and (
            self.arrest_day < self.start_date or (self.end_date and self.arrest_day > self.end_date)
        ):
            errors["arrest_day"] = "The arrest day must fall within the operation's dates."
        if errors:
            raise ValidationError(errors)
