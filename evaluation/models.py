"""Recorded crime for judging an operation: police.uk's public street-level data, the
areas it is counted in, and the evaluations comparing them (guide, section 9: "much of
the data required for evaluation will be available from existing administrative data
sources").

Only anonymised public fields are kept: the month, the force, the crime type, the
anonymised map point police.uk publishes and its LSOA code. Nothing here is about a
person, and nothing links a record to one.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index

from engagement.models import Area, Operation

from . import geography
from .police_uk import CRIME_TYPE_CHOICES, CRIME_TYPE_NAMES, LSOA_RE


class CrimeImport(models.Model):
    """One upload of police.uk street files (a CSV or a zip of month folders), or one run
    of ``manage.py import_police_crime``. It is checked whole before anything is stored;
    each force-month is then loaded beside the one it replaces and swapped in at once, so
    a reader never sees half a month, and a run whose worker died resumes where it was."""

    QUEUED, CHECKING, LOADING, DONE, FAILED = "queued", "checking", "loading", "done", "failed"
    STATUS_CHOICES = [
        (QUEUED, "Queued"),
        (CHECKING, "Checking the file"),
        (LOADING, "Loading"),
        (DONE, "Imported"),
        (FAILED, "Refused"),
    ]
    FINISHED = (DONE, FAILED)
    #: Runs an import is given; one failing this often for a reason other than its file
    #: (the database down, say) is stopped, with what went wrong.
    MAX_ATTEMPTS = 3

    file = models.FileField(upload_to="crime-imports/", blank=True)
    file_name = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=STATUS_CHOICES, default=QUEUED)
    problem = models.TextField(blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    files_done = models.JSONField(
        default=list, blank=True, help_text="The street files already swapped in."
    )
    files_skipped = models.JSONField(default=list, blank=True)
    months_loaded = models.PositiveIntegerField(default=0)
    # The run holding the import, and when it last said so (a lease: a run silent for
    # SIGNPOST_CRIME_IMPORT_LEASE_SECONDS is taken to have died and is resumed).
    runner = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "crime data import"

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display().lower()})"

    @property
    def percent(self) -> int:
        if self.status == self.DONE:
            return 100
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0


class CrimeMonthQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status=CrimeMonth.LIVE)


class CrimeMonth(models.Model):
    """One force's month of street data. A new import of the same force and month loads
    beside the live one (``LOADING``) and replaces it in one short transaction; rows of
    a month still loading are never counted."""

    LOADING, LIVE = "loading", "live"

    crime_import = models.ForeignKey(CrimeImport, on_delete=models.PROTECT, related_name="months")
    source = models.CharField(max_length=255, help_text="The street file it came from.")
    reported_by = models.CharField(max_length=120)
    month = models.DateField()
    status = models.CharField(
        max_length=10, choices=[(LOADING, "Loading"), (LIVE, "Live")], default=LOADING
    )
    row_count = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(null=True, blank=True)

    objects = CrimeMonthQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "reported_by"]
        constraints = [
            models.UniqueConstraint(
                fields=["reported_by", "month"],
                condition=models.Q(status="live"),
                name="evaluation_one_live_force_month",
            )
        ]

    def __str__(self):
        return f"{self.reported_by}, {self.month:%B %Y}"


class CrimeRecord(models.Model):
    """One anonymised crime or anti-social behaviour report, as police.uk publishes it:
    the month, its type, the snap point (never the exact place) and the LSOA."""

    crime_month = models.ForeignKey(CrimeMonth, on_delete=models.CASCADE, related_name="records")
    month = models.DateField()
    crime_type = models.CharField(max_length=32, choices=CRIME_TYPE_CHOICES)
    longitude = models.FloatField(null=True)
    latitude = models.FloatField(null=True)
    lsoa_code = models.CharField(max_length=9, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["lsoa_code", "month"], name="evaluation_record_lsoa"),
            models.Index(fields=["latitude", "longitude"], name="evaluation_record_point"),
        ]

    def __str__(self):
        return f"{CRIME_TYPE_NAMES.get(self.crime_type, self.crime_type)}, {self.month:%Y-%m}"


def _month_add(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _codes(text: str) -> list[str]:
    return sorted({code.upper() for code in text.replace(",", " ").split()})


class CrimeArea(index.Indexed, models.Model):
    """Where crimes are counted: an operation area, its buffer or a comparison area.

    An area is a set of LSOAs (2011 and 2021 codes, since police.uk moved to the 2021
    census geography in 2023) and/or a boundary drawn as GeoJSON; a crime counts in it
    when its LSOA is listed or its map point falls inside the boundary."""

    name = models.CharField(max_length=120, unique=True)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crime_areas",
        help_text="The initiative's area this stands for, if any.",
    )
    lsoa_codes_2011 = models.TextField(
        "LSOA codes (2011)",
        blank=True,
        help_text="2011 census LSOA codes (E01… or W01…), separated by spaces, commas or lines.",
    )
    lsoa_codes_2021 = models.TextField(
        "LSOA codes (2021)",
        blank=True,
        help_text="2021 census LSOA codes. An LSOA unchanged between the censuses keeps its "
        "code; list it in either box.",
    )
    boundary = models.TextField(
        blank=True,
        help_text="A boundary as GeoJSON (a Polygon or MultiPolygon, a Feature or a "
        "FeatureCollection of them) in longitude and latitude, e.g. drawn on geojson.io.",
    )
    buffer_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="buffers",
        help_text="Set when this area is a ring generated around another.",
    )
    buffer_width_m = models.PositiveIntegerField(null=True, blank=True)
    notes = models.TextField(blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("area"),
        MultiFieldPanel([FieldPanel("lsoa_codes_2011"), FieldPanel("lsoa_codes_2021")], "LSOAs"),
        FieldPanel("boundary"),
        FieldPanel("notes"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def ring_name(self, width_m: int) -> str:
        """The name a buffer ring around this area is given when none is chosen."""
        suffix = f": {width_m} m buffer"
        return self.name[: 120 - len(suffix)] + suffix

    @property
    def lsoa_codes(self) -> list[str]:
        """Every listed code, 2011 and 2021 together."""
        return sorted(set(_codes(self.lsoa_codes_2011)) | set(_codes(self.lsoa_codes_2021)))

    def clean(self):
        errors = {}
        for field in ("lsoa_codes_2011", "lsoa_codes_2021"):
            bad = [c for c in _codes(getattr(self, field)) if not LSOA_RE.match(c)]
            if bad:
                errors[field] = f"Not an LSOA code: {', '.join(bad)}."
            else:
                setattr(self, field, " ".join(_codes(getattr(self, field))))
        if self.boundary.strip():
            try:
                geography.boundary_parse(self.boundary)
            except geography.BoundaryProblem as problem:
                errors["boundary"] = str(problem)
        elif not errors and not self.lsoa_codes:
            errors["lsoa_codes_2021"] = "Give LSOA codes, a boundary, or both."
        if errors:
            raise ValidationError(errors)


class Evaluation(index.Indexed, models.Model):
    """An operation judged on recorded crime: its area against a buffer around it (where
    crime might move) and a comparison area (what happened anyway), before and after,
    by the Weighted Displacement Quotient (Bowers and Johnson, 2003) and a
    difference-in-differences on counts."""

    name = models.CharField(max_length=160, unique=True)
    operation = models.ForeignKey(
        Operation, on_delete=models.PROTECT, related_name="crime_evaluations"
    )
    operation_area = models.ForeignKey(
        CrimeArea, on_delete=models.PROTECT, related_name="+", verbose_name="operation area"
    )
    buffer_area = models.ForeignKey(
        CrimeArea, on_delete=models.PROTECT, related_name="+", verbose_name="buffer"
    )
    comparison_area = models.ForeignKey(
        CrimeArea, on_delete=models.PROTECT, related_name="+", verbose_name="comparison area"
    )
    crime_types = models.JSONField(
        default=list, help_text="The police.uk crime types the operation aimed at."
    )
    # Left empty, the periods are set from the operation's dates (see ``clean``).
    before_start = models.DateField(
        blank=True, help_text="First month of the period before (empty: a year before the start)."
    )
    before_end = models.DateField(
        blank=True, help_text="Last month of the period before (empty: the month before the start)."
    )
    after_start = models.DateField(
        blank=True, help_text="First month of the period after (empty: the operation's start)."
    )
    after_end = models.DateField(
        blank=True,
        help_text="Last month of the period after (empty: the operation's end, or the last "
        "month imported if earlier).",
    )
    in_reports = models.BooleanField(
        "Show in reports and on the dashboard",
        default=True,
        help_text="Partners see it there, with small counts hidden.",
    )

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def periods_from_operation(self) -> None:
        """Fill the periods left empty from the operation's dates: the year before the
        month it started, and from that month to its end or the last month imported."""
        if self.operation_id is None:
            return
        start = self.operation.start_date.replace(day=1)
        last_imported = CrimeMonth.objects.live().aggregate(last=models.Max("month"))["last"]
        end = (self.operation.end_date or timezone.localdate()).replace(day=1)
        if last_imported is not None and start <= last_imported < end:
            end = last_imported
        self.before_end = self.before_end or _month_add(start, -1)
        self.before_start = self.before_start or _month_add(self.before_end, -11)
        self.after_start = self.after_start or start
        self.after_end = self.after_end or end

    def clean(self):
        errors = {}
        self.periods_from_operation()
        for field in ("before_start", "before_end", "after_start", "after_end"):
            value = getattr(self, field)
            if value is not None:
                setattr(self, field, value.replace(day=1))
        if self.before_start and self.before_end and self.before_end < self.before_start:
            errors["before_end"] = "The period before ends before it starts."
        if self.after_start and self.after_end and self.after_end < self.after_start:
            errors["after_end"] = "The period after ends before it starts."
        if self.before_end and self.after_start and self.after_start <= self.before_end:
            errors["after_start"] = "The period after must start after the period before ends."
        areas = [self.operation_area_id, self.buffer_area_id, self.comparison_area_id]
        if None not in areas and len(set(areas)) < 3:
            errors["comparison_area"] = (
                "The operation area, buffer and comparison area must differ."
            )
        unknown = [t for t in self.crime_types or [] if t not in CRIME_TYPE_NAMES]
        if not self.crime_types:
            errors["crime_types"] = "Choose at least one crime type."
        elif unknown:
            errors["crime_types"] = f"Not a police.uk crime type: {', '.join(unknown)}."
        if errors:
            raise ValidationError(errors)

    @property
    def crime_type_names(self) -> list[str]:
        return [CRIME_TYPE_NAMES.get(t, t) for t in self.crime_types]

    def months(self) -> list[datetime.date]:
        """Every month from the start of the period before to the end of the period after."""
        months, month = [], self.before_start.replace(day=1)
        while month <= self.after_end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months
