"""The population of each operation and comparison area, by the profile questions' answers.

An analyst enters the counts or imports them from Census 2021 tables as Nomis publishes
them (``census_import``); ``checks`` says whether they add up. The waves of an area are
weighted to these figures (``surveys.weighting``).
"""

from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel

from ..profile import PROFILE, PROFILE_CHOICES


class PopulationMargins(ClusterableModel):
    """One area's population counts for each profile question (its margins)."""

    area = models.OneToOneField(
        "engagement.Area", on_delete=models.CASCADE, related_name="population"
    )
    source = models.CharField(
        max_length=255,
        blank=True,
        help_text="Where the figures come from, e.g. 'Census 2021 (Nomis): TS007A, TS008, "
        "TS054, TS021'. Imports fill this in.",
    )
    geography_codes = models.TextField(
        blank=True,
        help_text="The census areas (output areas or LSOAs, e.g. E01012345) that make up "
        "this area, separated by commas or new lines. An import adds up these rows.",
    )
    updated_on = models.DateField(auto_now=True)

    panels = [
        FieldPanel("area"),
        FieldPanel("source"),
        FieldPanel("geography_codes"),
        InlinePanel("counts", label="Count", heading="Counts by profile question"),
    ]

    class Meta:
        ordering = ["area__name"]
        verbose_name = "population margins"
        verbose_name_plural = "population margins"

    def __str__(self):
        return f"Population of {self.area}"

    @property
    def codes(self) -> list[str]:
        return [
            c.strip().upper()
            for c in self.geography_codes.replace("\n", ",").split(",")
            if c.strip()
        ]


class PopulationCount(models.Model):
    """How many of the area's people (or households, for tenure) give one answer to one
    profile question, by the census."""

    margins = ParentalKey(PopulationMargins, on_delete=models.CASCADE, related_name="counts")
    profile_key = models.CharField("question", max_length=40, choices=PROFILE_CHOICES)
    category = models.CharField(
        max_length=40,
        help_text="The answer's fixed value, e.g. '16_24', 'female', 'social_rented', 'white'.",
    )
    count = models.PositiveIntegerField()

    panels = [FieldPanel("profile_key"), FieldPanel("category"), FieldPanel("count")]

    class Meta:
        ordering = ["profile_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["margins", "profile_key", "category"], name="population_count_once"
            )
        ]

    def __str__(self):
        return f"{self.profile_key} {self.category}: {self.count:,}"

    def clean(self):
        item = PROFILE.get(self.profile_key)
        if item and self.category not in item.categories:
            raise ValidationError(
                {
                    "category": f"'{self.category}' is not an answer to '{item.text}': use one "
                    f"of {', '.join(item.categories)}."
                }
            )
