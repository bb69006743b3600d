"""Reads of the crime evaluation: which recorded crimes fall in each area, month by
month, and the evaluation built from them (the quotient, the difference in differences,
the plain words beside them), for the analyst's page, its exports and, with small counts
hidden, the reports and the dashboard."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, Min, Q

from . import analysis, geography
from .models import CrimeArea, CrimeMonth, CrimeRecord, Evaluation
from .police_uk import CRIME_TYPE_NAMES

ZONES = ("operation", "buffer", "comparison")
ZONE_LABELS = {"operation": "Operation area", "buffer": "Buffer", "comparison": "Comparison area"}
REPORTED_EVALUATIONS = 5

# What recorded crime cannot show, said beside the figures (guide, section 9: judge
# conservatively).
CAVEATS = {
    "enforcement": (
        "Recorded drug and weapon offences rise with proactive policing: they are mostly "
        "found by officers, not reported by the public. A rise can mean more enforcement, "
        "not a bigger market, and a fall after the operation can mean fewer stops."
    ),
    "anonymisation": (
        "police.uk moves each crime to the nearest of a set of snap points and publishes "
        "only its month and LSOA. In small areas a few streets' crimes can land just "
        "inside or outside a boundary, and LSOAs rarely follow an operation's streets."
    ),
    "seasonality": (
        "Crime has seasons: summer and the darker months differ. Periods that do not "
        "cover the same months of the year compare seasons as well as the operation."
    ),
    "regression": (
        "An area chosen because crime peaked there would usually have fallen back anyway "
        "(regression to the mean): a fall alone is not proof the operation worked."
    ),
    "comparison": (
        "The comparison area stands for what would have happened without the operation; "
        "anything that touched only one of the areas (another project, a new estate, a "
        "change in recording) is mixed into the result."
    ),
}


def _months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


# --- Which crimes fall in which area -----------------------------------------------------


@dataclass
class AreaShape:
    """An area ready for matching: its LSOA codes and its boundary, if drawn."""

    area: CrimeArea
    codes: frozenset
    boundary: object = None

    @classmethod
    def of(cls, area: CrimeArea) -> "AreaShape":
        boundary = geography.boundary_parse(area.boundary) if area.boundary.strip() else None
        return cls(area=area, codes=frozenset(area.lsoa_codes), boundary=boundary)

    def bounding_filter(self) -> Q:
        """Records this area could hold, for the database to narrow down."""
        q = Q(lsoa_code__in=sorted(self.codes)) if self.codes else Q(pk__in=[])
        if self.boundary is not None:
            west, south, east, north = self.boundary.bounds
            q |= Q(longitude__range=(west, east), latitude__range=(south, north))
        return q

    def holds(self, lsoa, lon, lat) -> np.ndarray:
        by_lsoa = np.fromiter((code in self.codes for code in lsoa), dtype=bool, count=len(lsoa))
        if self.boundary is None:
            return by_lsoa
        has_point = ~np.isnan(lon)
        inside = np.zeros(len(lsoa), dtype=bool)
        inside[has_point] = geography.points_inside(self.boundary, lon[has_point], lat[has_point])
        return by_lsoa | inside


def zone_records(
    shapes: dict[str, AreaShape],
    *,
    start: datetime.date,
    end: datetime.date,
    crime_types: list[str] | None = None,
):
    """Each live record from ``start`` to ``end`` (months) in one of the areas, as
    (zone, month, crime type, longitude, latitude). A record counts in the first area of
    ``shapes`` that holds it, so the operation area, the buffer and the comparison area
    never share one. One query."""
    where = Q()
    for shape in shapes.values():
        where |= shape.bounding_filter()
    records = CrimeRecord.objects.filter(
        where, month__range=(start, end), crime_month__status=CrimeMonth.LIVE
    )
    if crime_types is not None:
        records = records.filter(crime_type__in=crime_types)
    rows = list(records.values_list("month", "crime_type", "lsoa_code", "longitude", "latitude"))
    if not rows:
        return []
    months, types, lsoa, lon, lat = zip(*rows, strict=True)
    lon = np.array([np.nan if v is None else v for v in lon], dtype=float)
    lat = np.array([np.nan if v is None else v for v in lat], dtype=float)
    zone = np.full(len(rows), "", dtype=object)
    for name, shape in shapes.items():
        free = zone == ""
        zone[free & shape.holds(lsoa, lon, lat)] = name
    return [(zone[i], months[i], types[i], lon[i], lat[i]) for i in range(len(rows)) if zone[i]]


def crime_area_summary(area: CrimeArea) -> dict:
    """What an area includes: its LSOAs, its boundary's size, and the live records it
    holds (how many, over which months, by LSOA or by boundary)."""
    shape = AreaShape.of(area)
    bounds = CrimeMonth.objects.live().aggregate(first=Min("month"), last=Max("month"))
    summary = {
        "codes_2011": area.lsoa_codes_2011.split(),
        "codes_2021": area.lsoa_codes_2021.split(),
        "area_km2": geography.area_km2(shape.boundary) if shape.boundary is not None else None,
        "first_month": bounds["first"],
        "last_month": bounds["last"],
        "records": 0,
        "by_type": [],
        "points": [],
    }
    if bounds["first"] is None:
        return summary
    records = zone_records({"area": shape}, start=bounds["first"], end=bounds["last"])
    by_type = defaultdict(int)
    for _zone, _month, crime_type, _lon, _lat in records:
        by_type[crime_type] += 1
    summary["records"] = len(records)
    summary["by_type"] = sorted(
        ((CRIME_TYPE_NAMES.get(t, t), n) for t, n in by_type.items()), key=lambda r: -r[1]
    )
    summary["points"] = [(lon, lat) for *_rest, lon, lat in records if not np.isnan(lon)]
    return summary


# --- The evaluation ----------------------------------------------------------------------


@dataclass
class TypeResult:
    """The figures of one crime type, or of the chosen types together."""

    label: str
    counts: analysis.Counts
    changes: dict
    quotient: analysis.Quotient
    did: analysis.RatioInterval
    buffer_did: analysis.RatioInterval


@dataclass
class EvaluationResult:
    evaluation: Evaluation
    months: list
    series: dict  # zone -> [count per month], the chosen types together
    overall: TypeResult
    by_type: list = field(default_factory=list)
    missing_months: list = field(default_factory=list)
    forces: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    caveats: list = field(default_factory=list)
    conclusion: str = ""


def _type_result(label, monthly, before, after) -> TypeResult:
    """Figures from ``monthly`` (zone -> month -> count)."""

    def total(zone, months):
        return sum(monthly[zone].get(m, 0) for m in months)

    counts = analysis.Counts(
        total("operation", before),
        total("operation", after),
        total("buffer", before),
        total("buffer", after),
        total("comparison", before),
        total("comparison", after),
    )
    series = [
        ([monthly[zone].get(m, 0) for m in before], [monthly[zone].get(m, 0) for m in after])
        for zone in ZONES
    ]
    phi = analysis.dispersion([series[0], series[2]])
    phi_buffer = analysis.dispersion([series[1], series[2]])
    changes = {
        zone: analysis.percent_change(
            total(zone, before),
            total(zone, after),
            months_before=len(before),
            months_after=len(after),
        )
        for zone in ZONES
    }
    return TypeResult(
        label=label,
        counts=counts,
        changes=changes,
        quotient=analysis.weighted_displacement_quotient(counts),
        did=analysis.rate_ratio_of_rate_ratios(
            treated=(counts.operation_before, counts.operation_after),
            control=(counts.comparison_before, counts.comparison_after),
            phi=phi,
        ),
        buffer_did=analysis.rate_ratio_of_rate_ratios(
            treated=(counts.buffer_before, counts.buffer_after),
            control=(counts.comparison_before, counts.comparison_after),
            phi=phi_buffer,
        ),
    )


def evaluation_build(evaluation: Evaluation) -> EvaluationResult:
    """The evaluation's figures and words. A fixed number of queries whatever the data."""
    shapes = {
        "operation": AreaShape.of(evaluation.operation_area),
        "buffer": AreaShape.of(evaluation.buffer_area),
        "comparison": AreaShape.of(evaluation.comparison_area),
    }
    before = _months_between(evaluation.before_start, evaluation.before_end)
    after = _months_between(evaluation.after_start, evaluation.after_end)
    months = _months_between(evaluation.before_start, evaluation.after_end)
    records = zone_records(
        shapes,
        start=evaluation.before_start,
        end=evaluation.after_end,
        crime_types=list(evaluation.crime_types),
    )
    all_types = defaultdict(lambda: defaultdict(int))
    by_type = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for zone, month, crime_type, _lon, _lat in records:
        all_types[zone][month] += 1
        by_type[crime_type][zone][month] += 1
    for zone in ZONES:
        all_types[zone]  # noqa: B018 (every zone present, if empty)

    overall = _type_result(", ".join(evaluation.crime_type_names), all_types, before, after)
    per_type = []
    for crime_type in evaluation.crime_types:
        monthly = by_type[crime_type]
        for zone in ZONES:
            monthly[zone]  # noqa: B018
        per_type.append(
            _type_result(CRIME_TYPE_NAMES.get(crime_type, crime_type), monthly, before, after)
        )

    live = CrimeMonth.objects.live().filter(month__range=(months[0], months[-1]))
    covered = set(live.values_list("month", flat=True))
    forces = list(live.values("reported_by").annotate(months=Count("pk")).order_by("reported_by"))
    result = EvaluationResult(
        evaluation=evaluation,
        months=months,
        series={zone: [all_types[zone].get(m, 0) for m in months] for zone in ZONES},
        overall=overall,
        by_type=per_type,
        missing_months=[m for m in months if m not in covered],
        forces=forces,
    )
    result.warnings = _overlaps(shapes) + _warnings(result, before, after)
    result.caveats = _caveats(evaluation, before, after)
    result.conclusion = _conclusion(result)
    return result


def _overlaps(shapes: dict[str, AreaShape]) -> list[str]:
    """Areas sharing LSOAs: each crime is counted once, in the first that holds it (the
    operation area, then the buffer), so a shared LSOA is missing from the later one."""
    warnings = []
    names = list(shapes)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            shared = sorted(shapes[first].codes & shapes[second].codes)
            if shared:
                warnings.append(
                    f"The {ZONE_LABELS[first].lower()} and the {ZONE_LABELS[second].lower()} "
                    f"share {len(shared)} LSOA(s) ({', '.join(shared[:5])}): their crimes "
                    f"count in the {ZONE_LABELS[first].lower()} only."
                )
    return warnings


def _warnings(result: EvaluationResult, before, after) -> list[str]:
    """What in this evaluation's own figures limits it."""
    warnings = []
    if result.missing_months:
        listed = ", ".join(f"{m:%b %Y}" for m in result.missing_months[:6])
        more = len(result.missing_months) - 6
        warnings.append(
            f"No police.uk data is imported for {len(result.missing_months)} month(s) of "
            f"the periods ({listed}{f' and {more} more' if more > 0 else ''}): they count "
            "as zero here, which is wrong. Import those months before reading the figures."
        )
    counts = result.overall.counts
    smallest = min(
        counts.operation_before, counts.operation_after, counts.buffer_before, counts.buffer_after
    )
    if smallest < 20:
        warnings.append(
            f"Some counts are small (the smallest is {smallest}): a handful of crimes either "
            "way changes the quotient a lot, so read it as a rough indication at most."
        )
    operation = result.series["operation"][: len(before)]
    if len(operation) >= 6:
        mean = sum(operation) / len(operation)
        last_three = sum(operation[-3:]) / 3
        if mean > 0 and last_three > 1.25 * mean:
            warnings.append(
                f"The operation area's last three months before the operation averaged "
                f"{last_three:.0f} a month against {mean:.0f} over the whole period before: "
                "it peaked, so part of any fall is what usually follows a peak "
                "(regression to the mean)."
            )
    if {m.month for m in before} != {m.month for m in after}:
        warnings.append(
            "The periods do not cover the same months of the year, so seasons differ "
            "between them: the comparison area, with the same seasons, allows for this "
            "only if its seasons are like the operation area's."
        )
    return warnings


def _caveats(evaluation: Evaluation, before, after) -> list[str]:
    keys = ["anonymisation", "seasonality", "regression", "comparison"]
    if {"drugs", "possession-of-weapons"} & set(evaluation.crime_types):
        keys.insert(0, "enforcement")
    return [CAVEATS[key] for key in keys]


def _format_ratio(did: analysis.RatioInterval) -> str:
    return f"{did.ratio:.2f} (95% interval {did.lower:.2f} to {did.upper:.2f})"


def _conclusion(result: EvaluationResult) -> str:
    """The plain-English reading, conservative: what the figures show, how sure, and
    what they cannot say."""
    overall = result.overall
    area = result.evaluation.operation_area.name
    parts = []
    did = overall.did
    if did.ratio is None:
        parts.append(f"The change in {area} cannot be compared: {did.refused}")
    elif did.excludes_no_change:
        direction = "fell" if did.ratio < 1 else "rose"
        parts.append(
            f"Recorded crime of these types {direction} in {area} relative to the "
            f"comparison area: the ratio of the two areas' changes is {_format_ratio(did)}, "
            "more than month-to-month variation alone would give."
        )
    else:
        parts.append(
            f"The change in {area} relative to the comparison area (ratio "
            f"{_format_ratio(did)}) is within what month-to-month variation gives: these "
            "figures do not show that the operation changed recorded crime."
        )
    quotient = overall.quotient
    if quotient.value is None:
        parts.append(f"No displacement quotient: {quotient.refused}")
    else:
        buffer = overall.buffer_did
        if buffer.ratio is not None and not buffer.excludes_no_change:
            parts.append(
                f"The Weighted Displacement Quotient is {quotient.value:.2f} "
                f"({quotient.reading.lower()} on Bowers and Johnson's reading), but the "
                f"buffer's change relative to the comparison area ({_format_ratio(buffer)}) "
                "is within month-to-month variation, so the careful reading is neither "
                "displacement nor diffusion."
            )
        else:
            parts.append(
                f"The Weighted Displacement Quotient is {quotient.value:.2f}: "
                f"{quotient.reading.lower()}."
            )
    parts.append("Recorded crime shows what was recorded, not all that happened.")
    return " ".join(parts)


def careful_reading(result: TypeResult) -> str:
    """The quotient's reading, or "neither" where the buffer's change is within chance."""
    quotient = result.quotient
    if quotient.value is None:
        return ""
    if result.buffer_did.ratio is not None and not result.buffer_did.excludes_no_change:
        return "Neither (the buffer's change is within month-to-month variation)"
    return quotient.reading


# --- Exports -----------------------------------------------------------------------------

SERIES_HEADER = ["Month", "Period", "Crime type", *ZONE_LABELS.values()]
SUMMARY_HEADER = [
    "Crime type",
    "Operation area before",
    "Operation area after",
    "Buffer before",
    "Buffer after",
    "Comparison area before",
    "Comparison area after",
    "Success measure",
    "Displacement measure",
    "Weighted Displacement Quotient",
    "Reading (Bowers and Johnson)",
    "Careful reading",
    "Ratio of changes (operation / comparison)",
    "95% interval, lower",
    "95% interval, upper",
    "Overdispersion (phi)",
    "Why no quotient",
]


def _period(evaluation: Evaluation, month) -> str:
    if evaluation.before_start <= month <= evaluation.before_end:
        return "before"
    if evaluation.after_start <= month <= evaluation.after_end:
        return "after"
    return "between"


def series_rows(result: EvaluationResult):
    for i, month in enumerate(result.months):
        yield [
            f"{month:%Y-%m}",
            _period(result.evaluation, month),
            "All chosen types",
            *(result.series[zone][i] for zone in ZONES),
        ]


def summary_rows(result: EvaluationResult):
    def number(value, places):
        return None if value is None else round(value, places)

    for row in [result.overall, *result.by_type]:
        c, q, d = row.counts, row.quotient, row.did
        yield [
            row.label,
            c.operation_before,
            c.operation_after,
            c.buffer_before,
            c.buffer_after,
            c.comparison_before,
            c.comparison_after,
            number(q.success_measure, 4),
            number(q.displacement_measure, 4),
            number(q.value, 2),
            q.reading,
            careful_reading(row),
            number(d.ratio, 3),
            number(d.lower, 3),
            number(d.upper, 3),
            number(d.dispersion, 2),
            q.refused,
        ]


# --- Reports and the dashboard -----------------------------------------------------------


def _shown(count: int, threshold: int):
    """A count as partners see it: hidden (None) below the threshold, zero included."""
    return count if count >= threshold else None


def evaluation_section(*, start: datetime.date, end: datetime.date) -> dict:
    """The evaluations marked for reports, as a report stores them: counts below
    ``SURVEYS_SUPPRESSION_THRESHOLD`` hidden (the rule of the survey figures), changes
    and the quotient given only when every count they are made from is shown. At most
    ``REPORTED_EVALUATIONS``; two queries each."""
    threshold = settings.SURVEYS_SUPPRESSION_THRESHOLD
    evaluations = Evaluation.objects.filter(in_reports=True).select_related(
        "operation", "operation_area", "buffer_area", "comparison_area"
    )[:REPORTED_EVALUATIONS]
    rows = []
    for evaluation in evaluations:
        result = evaluation_build(evaluation)
        overall = result.overall
        c = overall.counts
        pairs = {
            "operation": (c.operation_before, c.operation_after),
            "buffer": (c.buffer_before, c.buffer_after),
            "comparison": (c.comparison_before, c.comparison_after),
        }
        every_shown = min(n for pair in pairs.values() for n in pair) >= threshold
        quotient = overall.quotient
        rows.append(
            {
                "name": evaluation.name,
                "operation": evaluation.operation.name,
                "crime_types": evaluation.crime_type_names,
                "before": f"{evaluation.before_start:%b %Y} to {evaluation.before_end:%b %Y}",
                "after": f"{evaluation.after_start:%b %Y} to {evaluation.after_end:%b %Y}",
                "zones": [
                    {
                        "label": ZONE_LABELS[zone],
                        "name": getattr(evaluation, f"{zone}_area").name,
                        "before": _shown(before, threshold),
                        "after": _shown(after, threshold),
                        "change": (
                            round(overall.changes[zone], 1)
                            if min(before, after) >= threshold and overall.changes[zone] is not None
                            else None
                        ),
                    }
                    for zone, (before, after) in pairs.items()
                ],
                "published": every_shown,
                "quotient": (
                    round(quotient.value, 2) if every_shown and quotient.value is not None else None
                ),
                "reading": careful_reading(overall) if every_shown else "",
                "refused": quotient.refused if every_shown else "",
                "conclusion": result.conclusion if every_shown else "",
                "missing_months": len(result.missing_months),
                "caveats": result.caveats,
            }
        )
    return {"evaluations": rows, "threshold": threshold}
