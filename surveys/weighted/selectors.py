"""Weighted figures beside the unweighted ones, for one comparison.

``weighted_comparison_build`` takes a comparison as ``surveys.selectors.comparison_build``
made it (its figures already through the suppression rules) and adds, for each wave, the
raking to its area's population (``surveys.weighting``) with the effective sample size
and design effect, and for each question with a positive share, the weighted share, its
interval, the change, Holm's adjustment, the smallest detectable change and the
difference in differences, computed as for the unweighted figures but on effective
sample sizes: a weighted share p from an effective sample size m is treated as p × m
answers out of m (Kish's approximation; Korn and Graubard 1998), so Wilson's and
Newcombe's intervals, the matching p-values and the power calculation carry over.

Disclosure: a weighted share is published only where the unweighted share of the same
wave and question is published, so it is never the only figure standing in for a hidden
count; weighted figures are given only as shares and intervals, never as weighted counts
of answers, and the weighted profile answers (which equal the census by construction)
are not published at all. Where a reader could rebuild the weights (one profile question
raked), the weighted share is also withheld unless the cross-table it would let them
solve has no small cell (``_reveals_small_cells``).

It also says which figures are the headline and why, and warns where the two disagree
(direction or significance of a change) or where a wave's effective sample size is too
small to lean on.
"""

from dataclasses import dataclass, field, replace

from django.conf import settings
from django.db.models import Max, Q

from ..blocks import Question
from ..formatting import (
    confidence_text,
    p_value_number,
    points_number,
    points_text,
    size_points,
)
from ..models import Answer, SurveyWave
from ..population.checks import margins_warnings
from ..population.selectors import population_margins_by_area
from ..profile import PROFILE, is_profile_key
from ..selectors import SUPPRESSED, Comparison, QuestionComparison, question_verdict
from ..statistics import (
    Change,
    DifferenceInDifferences,
    changes_between,
    difference_in_differences,
    wilson_interval,
)
from ..weighting import Margin, Raking, rake, weighted_share

WEIGHTED = "weighted"
UNWEIGHTED = "unweighted"
# A profile question skipped by more than this share of a wave is worth a warning.
SKIPPED_WARNING = 0.25
# Weighting that costs more than half the sample is worth a warning.
DESIGN_EFFECT_WARNING = 2.0
# When the cap keeps raking from meeting every margin exactly, the weights are still used
# if no weighted share misses its population share by more than this (one point); beyond
# it the wave is not weighted.
ACCEPTABLE_GAP = 0.01
# Weighted and unweighted changes pointing opposite ways are flagged when both are at
# least half a point: below that, either is indistinguishable from no change.
DIRECTION_MINIMUM = 0.005


@dataclass
class WaveWeighting:
    wave: SurveyWave
    label: str
    respondents: int
    raking: Raking | None = None
    # Why the wave could not be weighted ("" when it was).
    problem: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def weighted(self) -> bool:
        return self.raking is not None and not self.problem

    @property
    def effective_sample_size(self) -> float | None:
        return self.raking.effective_sample_size if self.raking else None

    @property
    def design_effect(self) -> float | None:
        return self.raking.design_effect if self.raking else None

    @property
    def margins_text(self) -> str:
        if not self.raking:
            return ""
        return ", ".join(
            key.removeprefix("profile_").replace("_", " ") for key in self.raking.margins
        )


@dataclass(frozen=True)
class WeightedFigure:
    """A wave's weighted positive share among those who answered, with its 95% interval
    and the effective sample size of those answers."""

    share: float
    low: float
    high: float
    effective_sample_size: float

    @property
    def effective_counts(self) -> tuple[float, float]:
        return self.share * self.effective_sample_size, self.effective_sample_size


@dataclass
class WeightedQuestion:
    row: QuestionComparison
    baseline: WeightedFigure | None = None
    follow_up: WeightedFigure | None = None
    comparison_baseline: WeightedFigure | None = None
    comparison_follow_up: WeightedFigure | None = None
    change: Change | None = None
    did: DifferenceInDifferences | None = None
    verdict: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def question(self) -> Question:
        return self.row.question


@dataclass
class WeightedComparison:
    comparison: Comparison
    waves: list[WaveWeighting]
    questions: list[WeightedQuestion]
    headline: str
    headline_reason: str
    cap: float
    minimum_effective_sample: int
    warnings: list[str] = field(default_factory=list)

    @property
    def weighted(self) -> bool:
        return self.headline == WEIGHTED

    @property
    def adjusted(self) -> bool:
        return sum(1 for q in self.questions if q.change is not None) > 1

    def for_row(self, row: QuestionComparison) -> WeightedQuestion | None:
        return next((q for q in self.questions if q.row is row), None)


def _waves(comparison: Comparison) -> list[tuple[str, SurveyWave]]:
    waves = [("baseline", comparison.baseline.wave), ("follow-up", comparison.follow_up.wave)]
    if comparison.has_comparison_area:
        waves += [
            ("comparison area's baseline", comparison.comparison_baseline.wave),
            ("comparison area's follow-up", comparison.comparison_follow_up.wave),
        ]
    return waves


def _respondents(waves: list[SurveyWave], counts: dict[int, int], keys: list[str]):
    """Each wave's respondents as dicts of their answers to ``keys`` (profile and share
    questions, all single-choice): one query returning one row per response, the
    answers pivoted in the database. Responses that answered none of ``keys`` are
    counted in as empty, up to the wave's number of responses."""
    pivot = {f"k{i}": Max("choice", filter=Q(question_key=key)) for i, key in enumerate(keys)}
    by_wave: dict[int, list[dict[str, str]]] = {w.pk: [] for w in waves}
    rows = (
        Answer.objects.filter(wave_id__in=list(by_wave), question_key__in=keys)
        .exclude(choice="")
        .values("wave_id", "response_id")
        .annotate(**pivot)
        .order_by()
        .values_list("wave_id", *pivot)
    )
    for wave_id, *choices in rows.iterator(chunk_size=5000):
        by_wave[wave_id].append({k: c for k, c in zip(keys, choices, strict=True) if c})
    for wave_id, respondents in by_wave.items():
        respondents.extend({} for _ in range(counts.get(wave_id, 0) - len(respondents)))
    return by_wave


def _wave_weighting(label, wave, respondents, population, asked, cap, minimum):
    weighting = WaveWeighting(wave=wave, label=label, respondents=len(respondents))
    counts = population.get(wave.area_id, {})
    usable = [key for key in asked if counts.get(key) and sum(counts[key].values()) > 0]
    if not counts:
        weighting.problem = f"{wave.area} has no population margins yet"
        return weighting
    if not asked:
        weighting.problem = "the survey asks none of the profile questions"
        return weighting
    if not usable:
        weighting.problem = (
            f"{wave.area}'s population margins cover none of the profile questions asked"
        )
        return weighting
    weighting.warnings += [
        f"{wave.area}: {w}" for w in margins_warnings(counts, households=wave.area.household_count)
    ]
    margins = [Margin.from_counts(key, counts[key]) for key in usable]
    raking = rake(respondents, margins, cap=cap)
    weighting.raking = raking
    n = len(respondents)
    if raking.largest_gap > ACCEPTABLE_GAP:
        weighting.problem = (
            f"with no weight above {cap:g} times the average, its weighted answers still "
            f"miss the population by up to {100 * raking.largest_gap:.1f} points"
        )
    elif not raking.converged:
        weighting.warnings.append(
            f"The {label}: with no weight above {cap:g} times the average, its weighted "
            f"answers match the population to within {100 * raking.largest_gap:.1f} points, "
            "not exactly."
        )
    weighting.warnings += [
        f"The {label}: {note}"
        for note in raking.notes
        if raking.converged or "could not" not in note
    ]
    for key, skipped in raking.skipped.items():
        if n and skipped / n > SKIPPED_WARNING:
            weighting.warnings.append(
                f"In the {label}, {100 * skipped / n:.0f}% did not say their "
                f"{key.removeprefix('profile_').replace('_', ' ')}; weighting keeps them as "
                "the other questions weight them, so it corrects less for this question."
            )
    ess = raking.effective_sample_size
    if n and ess < minimum:
        weighting.warnings.append(
            f"The {label}'s effective sample size is {ess:.0f}, below {minimum}: its weighted "
            "figures are imprecise, and their intervals are wide accordingly."
        )
    if n and raking.design_effect > DESIGN_EFFECT_WARNING:
        weighting.warnings.append(
            f"Weighting the {label} has a design effect of {raking.design_effect:.2f}: its "
            f"{n:,} answers carry the information of about {ess:.0f} from a random sample, "
            "because those who answered were far from a fair mix of the area."
        )
    return weighting


def _reveals_small_cells(respondents, key, positive, raking: Raking, threshold: int) -> bool:
    """Whether the weighted share, beside what else is published, could let a reader work
    out a small count of an unpublished cross-table (a profile answer × a positive answer).

    With a single profile question raked, each respondent's weight follows from that
    question's published breakdown and the census (weight = population share ÷ sample
    share), so the weighted share and the positive count are two equations in the positive
    counts per profile answer: with two answers they are solved exactly, with more they
    narrow. So the weighted share is published only if every cell of that cross-table (the
    skipped included) is at least the threshold, zero counted as small, as in the
    published breakdowns. With two or more questions raked, the weights depend on the
    joint answers to the profile questions, which are never published, so they cannot be
    rebuilt from the page."""
    if len(raking.margins) != 1:
        return False
    [dimension] = raking.margins
    cells: dict[tuple[str, bool], int] = {}
    categories = set()
    for r in respondents:
        if key in r:
            category = r.get(dimension, "")
            categories.add(category)
            cells[(category, r[key] in positive)] = cells.get((category, r[key] in positive), 0) + 1
    return any(
        cells.get((category, flag), 0) < threshold
        for category in categories
        for flag in (True, False)
    )


def _figure(weights, positive, shown) -> WeightedFigure | None:
    if not shown or not weights:
        return None
    result = weighted_share(weights, positive)
    x, m = result.effective_positive, result.effective_sample_size
    low, high = wilson_interval(x, m)
    return WeightedFigure(result.share, low, high, m)


def _disagreements(q: WeightedQuestion) -> list[str]:
    warnings = []
    u, w = q.row.change, q.change
    if u is not None and w is not None:
        if (
            u.difference * w.difference < 0
            and min(abs(u.difference), abs(w.difference)) >= DIRECTION_MINIMUM
        ):
            warnings.append(
                f"Weighted and unweighted disagree on the direction: unweighted "
                f"{points_text(u.difference)}, weighted {points_text(w.difference)}."
            )
        if u.significant != w.significant:
            which = "unweighted" if u.significant else "weighted"
            other = "weighted" if u.significant else "unweighted"
            warnings.append(
                f"Weighted and unweighted disagree on significance: the {which} change is "
                f"bigger than chance would usually give, the {other} one is not."
            )
    ud, wd = q.row.did, q.did
    if ud is not None and wd is not None:
        if (
            ud.difference * wd.difference < 0
            and min(abs(ud.difference), abs(wd.difference)) >= DIRECTION_MINIMUM
        ):
            warnings.append(
                "Weighted and unweighted disagree on the direction of the difference in "
                f"differences: unweighted {points_text(ud.difference)}, weighted "
                f"{points_text(wd.difference)}."
            )
        if ud.excludes_zero != wd.excludes_zero:
            warnings.append(
                "Weighted and unweighted disagree on whether the difference in differences "
                "is bigger than chance would usually give."
            )
    return warnings


def weighted_comparison_build(
    comparison: Comparison, *, cap: float | None = None, minimum_effective_sample: int | None = None
) -> WeightedComparison:
    """The comparison's weighted figures, its waves' weighting and the headline choice.
    Two queries however many responses (none when the survey asks no profile question,
    one when no wave's area has margins)."""
    cap = cap or settings.SURVEYS_WEIGHT_CAP
    minimum = minimum_effective_sample or settings.SURVEYS_MINIMUM_EFFECTIVE_SAMPLE
    waves = _waves(comparison)
    asked = [q.key for q in comparison_profile_questions(comparison) if q.key in PROFILE]
    share_rows = [
        r for r in comparison.questions if r.question.has_positive and not r.question.multiple
    ]
    # Without profile questions there is nothing to weight by, and without margins
    # nothing to weight to: the queries are skipped.
    population = population_margins_by_area({w.area_id for _, w in waves}) if asked else {}
    summaries = [comparison.baseline, comparison.follow_up]
    if comparison.has_comparison_area:
        summaries += [comparison.comparison_baseline, comparison.comparison_follow_up]
    counts = {s.wave.pk: s.responses for s in summaries}
    if population:
        respondents = _respondents(
            [w for _, w in waves], counts, asked + [r.question.key for r in share_rows]
        )
    else:
        respondents = {w.pk: [{}] * counts.get(w.pk, 0) for _, w in waves}
    weightings = [
        _wave_weighting(label, wave, respondents[wave.pk], population, asked, cap, minimum)
        for label, wave in waves
    ]
    all_weighted = all(w.weighted for w in weightings)

    rows = []
    for row in share_rows:
        q = WeightedQuestion(row=row)
        published = [row.baseline, row.follow_up, row.comparison_baseline, row.comparison_follow_up]
        figures = []
        key, positive = row.question.key, row.question.positive
        for (_, wave), weighting, shown in zip(waves, weightings, published, strict=False):
            answered = (
                [
                    (w, r[key] in positive)
                    for r, w in zip(respondents[wave.pk], weighting.raking.weights, strict=True)
                    if key in r
                ]
                if weighting.weighted
                else []
            )
            publishable = (
                shown is not None
                and shown.share is not None
                and bool(answered)
                and not _reveals_small_cells(
                    respondents[wave.pk], key, positive, weighting.raking, comparison.threshold
                )
            )
            figures.append(_figure([w for w, _ in answered], [p for _, p in answered], publishable))
        q.baseline, q.follow_up = figures[0], figures[1]
        if len(figures) == 4:
            q.comparison_baseline, q.comparison_follow_up = figures[2], figures[3]
        rows.append(q)

    paired = [q for q in rows if q.baseline and q.follow_up]
    changes = changes_between(
        [(*q.baseline.effective_counts, *q.follow_up.effective_counts) for q in paired]
    )
    for q, change in zip(paired, changes, strict=True):
        q.change = change
        if q.comparison_baseline and q.comparison_follow_up:
            q.did = difference_in_differences(
                (*q.baseline.effective_counts, *q.follow_up.effective_counts),
                (*q.comparison_baseline.effective_counts, *q.comparison_follow_up.effective_counts),
            )
    for q in rows:
        q.verdict = question_verdict(replace(q.row, change=q.change), adjusted=len(paired) > 1)
        q.warnings = _disagreements(q)

    headline, reason = _headline(weightings, all_weighted, minimum)
    result = WeightedComparison(
        comparison=comparison,
        waves=weightings,
        questions=rows,
        headline=headline,
        headline_reason=reason,
        cap=cap,
        minimum_effective_sample=minimum,
    )
    result.warnings = [w for weighting in weightings for w in weighting.warnings] + [
        f"‘{q.question.text}’: {w}" for q in rows for w in q.warnings
    ]
    return result


def comparison_profile_questions(comparison: Comparison) -> list[Question]:
    """The profile questions among the comparison's questions."""
    return [r.question for r in comparison.questions if is_profile_key(r.question.key)]


def _headline(weightings: list[WaveWeighting], all_weighted: bool, minimum: int):
    if all_weighted:
        by = weightings[0].margins_text
        low = [w for w in weightings if w.effective_sample_size < minimum]
        reason = (
            f"The weighted figures are the headline. Each wave was weighted to its area's "
            f"census population by {by}, so a change in who answered (more older residents "
            "one time, more renters the next) is not mistaken for a change in views. Their "
            "intervals use each wave's effective sample size, so they are honest about the "
            "precision weighting costs. The unweighted figures are beside them for reference."
        )
        if low:
            reason += (
                " Some waves' effective sample sizes are small, so the weighted intervals are "
                "wide: read them with care."
            )
        return WEIGHTED, reason
    why = "; ".join(f"the {w.label}: {w.problem}" for w in weightings if not w.weighted)
    return (
        UNWEIGHTED,
        "The unweighted figures are the headline, because not every wave could be weighted "
        f"to its area's population ({why}). They describe those who answered, who may not "
        "be a fair mix of the area.",
    )


def _share_cell(figure: WeightedFigure | None):
    return round(100 * figure.share, 1) if figure else SUPPRESSED


def _points(value: float) -> float:
    return float(points_number(value).replace("−", "-"))


def weighted_table_rows(weighted: WeightedComparison):
    """The weighted figures as rows of the aggregate export (``AGGREGATE_HEADER``), after
    the unweighted rows: which figures are the headline and why, each wave's effective
    sample size and design effect, and each question's weighted share (its base column is
    the effective sample size, never a count), change and difference in differences.
    Suppressed where the unweighted share is."""
    blank = [""] * 7
    yield (
        [
            "",
            weighted.headline_reason,
            "headline",
            weighted.headline,
            "rows marked (weighted) are weighted to the area's population; the others are not",
        ]
        + [""] * 6
        + blank
    )
    waves = weighted.waves
    pairs = [("", waves[0], waves[1])]
    if len(waves) == 4:
        pairs.append(("comparison area: ", waves[2], waves[3]))
    threshold = weighted.comparison.threshold
    for prefix, b, f in pairs:
        for label, attribute, places in (
            ("effective sample size", "effective_sample_size", 1),
            ("design effect", "design_effect", 3),
        ):

            def value(w, attribute=attribute, places=places):
                if w.raking is None or w.respondents < threshold:
                    return "not weighted" if w.raking is None else SUPPRESSED
                return round(getattr(w, attribute), places)

            yield [
                "",
                f"{prefix}Weighting by {b.margins_text or f.margins_text or 'nothing'}",
                f"{prefix}{label} (weighted)",
                "",
                f"cap {weighted.cap:g}× the average weight",
                value(b),
                "",
                "",
                value(f),
                "",
                "",
            ] + blank
    for q in weighted.questions:
        c = q.change
        stats = (
            [
                _points(c.difference),
                _points(c.lower),
                _points(c.upper),
                confidence_text(c.confidence),
                p_value_number(c.p_value),
                p_value_number(c.adjusted_p_value),
                float(size_points(c.minimum_detectable)),
            ]
            if c
            else [SUPPRESSED] * 7
        )
        yield [
            q.question.key,
            q.question.text,
            "positive share (weighted)",
            ",".join(sorted(q.question.positive)),
            q.row.positive_labels,
            "",
            _share_cell(q.baseline),
            round(q.baseline.effective_sample_size, 1) if q.baseline else SUPPRESSED,
            "",
            _share_cell(q.follow_up),
            round(q.follow_up.effective_sample_size, 1) if q.follow_up else SUPPRESSED,
        ] + stats
        if q.did is not None:
            yield (
                [
                    q.question.key,
                    q.question.text,
                    "difference in differences (weighted)",
                    "",
                    "operation area's change minus the comparison area's",
                ]
                + [""] * 6
                + [
                    _points(q.did.difference),
                    _points(q.did.lower),
                    _points(q.did.upper),
                    "95%",
                    "",
                    "",
                    "",
                ]
            )
