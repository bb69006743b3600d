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
solve has no small cell (``surveys.weighted.waves.reveals_small_cells``), and a
published comparison (not the analysts' live view) does not weight such a wave at all.

It also says which figures are the headline and why, and warns where the two disagree
(direction or significance of a change) or where a wave's effective sample size is too
small to lean on.
"""

from dataclasses import dataclass, field, replace

from django.conf import settings

from ..blocks import Question
from ..disclosure import audit_row, weighting_exposes
from ..formatting import (
    plural,
    points_text,
)
from ..models import SurveyWave
from ..population.selectors import population_margins_by_area
from ..profile import PROFILE, is_profile_key
from ..selectors import (
    Comparison,
    QuestionComparison,
    published_weighting,
    question_verdict,
    wave_answers_as_read,
)
from ..statistics import (
    Change,
    DifferenceInDifferences,
    changes_between,
    difference_in_differences,
    wilson_interval,
)
from .waves import WaveFigures, WeightedAnswers, respondents_read, wave_figures_compute

WEIGHTED = "weighted"
UNWEIGHTED = "unweighted"
# A profile question skipped by more than this share of a wave is worth a warning.
SKIPPED_WARNING = 0.25
# Weighting that costs more than half the sample is worth a warning.
DESIGN_EFFECT_WARNING = 2.0
# Weighted and unweighted changes pointing opposite ways are flagged when both are at
# least half a point: below that, either is indistinguishable from no change.
DIRECTION_MINIMUM = 0.005


@dataclass
class WaveWeighting:
    """One wave's weighting as the comparison page shows it."""

    wave: SurveyWave
    label: str
    figures: WaveFigures
    warnings: list[str] = field(default_factory=list)
    # Why a wave weighted all right is still not weighted in a published comparison.
    withheld: str = ""

    @property
    def respondents(self) -> int:
        return self.figures.respondents

    @property
    def weighted(self) -> bool:
        return self.figures.weighted and not self.withheld

    @property
    def problem(self) -> str:
        return self.figures.problem or self.withheld

    @property
    def effective_sample_size(self) -> float | None:
        return self.figures.effective_sample_size

    @property
    def design_effect(self) -> float | None:
        return self.figures.design_effect

    @property
    def margins_text(self) -> str:
        return ", ".join(
            key.removeprefix("profile_").replace("_", " ") for key in self.figures.margins
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
    summary: list[str] = field(default_factory=list)

    @property
    def weighted(self) -> bool:
        return self.headline == WEIGHTED

    @property
    def adjusted(self) -> bool:
        return sum(1 for q in self.questions if q.change is not None) > 1


def _waves(comparison: Comparison) -> list[tuple[str, SurveyWave]]:
    waves = [("baseline", comparison.baseline.wave), ("follow-up", comparison.follow_up.wave)]
    if comparison.has_comparison_area:
        waves += [
            ("comparison area's baseline", comparison.comparison_baseline.wave),
            ("comparison area's follow-up", comparison.comparison_follow_up.wave),
        ]
    return waves


def _wave_warnings(label: str, figures: WaveFigures, minimum: int) -> list[str]:
    warnings = list(figures.population_warnings)
    if not figures.margins:
        return warnings
    n, cap = figures.respondents, figures.cap
    if figures.weighted and not figures.converged:
        warnings.append(
            f"The {label}: with no weight above {cap:g} times the average, its weighted "
            f"answers match the population to within {100 * figures.largest_gap:.1f} points, "
            "not exactly."
        )
    warnings += [f"The {label}: {note}" for note in figures.notes]
    for key, skipped in figures.skipped.items():
        if n and skipped / n > SKIPPED_WARNING:
            warnings.append(
                f"In the {label}, {100 * skipped / n:.0f}% did not say their "
                f"{key.removeprefix('profile_').replace('_', ' ')}; weighting keeps them as "
                "the other questions weight them, so it corrects less for this question."
            )
    ess, deff = figures.effective_sample_size, figures.design_effect
    if n and ess < minimum:
        warnings.append(
            f"The {label}'s effective sample size is {ess:.0f}, below {minimum}: its weighted "
            "figures are imprecise, and their intervals are wide accordingly."
        )
    if n and deff > DESIGN_EFFECT_WARNING:
        warnings.append(
            f"Weighting the {label} has a design effect of {deff:.2f}: its {n:,} answers "
            f"carry the information of about {ess:.0f} from a random sample, because those "
            "who answered were far from a fair mix of the area."
        )
    return warnings


def waves_figures_live(
    comparison: Comparison, *, share_questions: list[Question], asked: list[str], cap: float
) -> dict[int, WaveFigures]:
    """Each of the comparison's waves weighted from its stored responses now. Two
    queries however many responses (none when the survey asks no profile question, one
    when no wave's area has margins)."""
    summaries = [comparison.baseline, comparison.follow_up]
    if comparison.has_comparison_area:
        summaries += [comparison.comparison_baseline, comparison.comparison_follow_up]
    waves = [s.wave for s in summaries]
    counts = {s.wave.pk: s.responses for s in summaries}
    population = population_margins_by_area({w.area_id for w in waves}) if asked else {}
    if population:
        respondents = respondents_read(waves, counts, asked + [q.key for q in share_questions])
    else:
        respondents = {w.pk: [{}] * counts.get(w.pk, 0) for w in waves}
    return {
        wave.pk: wave_figures_compute(
            wave,
            respondents=respondents[wave.pk],
            population=population.get(wave.area_id, {}),
            asked=asked,
            share_questions=share_questions,
            cap=cap,
            threshold=comparison.threshold,
        )
        for wave in waves
    }


def waves_figures_published(comparison: Comparison) -> dict[int, WaveFigures]:
    """Each of the comparison's waves' weighting as published with its latest results
    (``WaveResults.weighting``): from the very responses the published counts come from,
    so weighted and unweighted figures move together, in the same steps. One query."""
    summaries = [comparison.baseline, comparison.follow_up]
    if comparison.has_comparison_area:
        summaries += [comparison.comparison_baseline, comparison.comparison_follow_up]
    kept = published_weighting([s.wave for s in summaries])
    return {
        s.wave.pk: WaveFigures.from_json(kept[s.wave.pk])
        if kept.get(s.wave.pk)
        else WaveFigures(
            s.responses,
            problem="its published results were not weighted (the area had no population "
            "margins, or the survey no profile questions, when they were taken)",
        )
        for s in summaries
    }


def profile_rows_hidden(
    comparison: Comparison, margins: tuple[str, ...], wave_index: int
) -> list[str]:
    """The profile questions a wave was raked on whose published breakdown in this
    comparison the wave's weights (and so its effective sample size, design effect and
    weighted shares) could give a hidden count of (``surveys.disclosure.weighting_exposes``)."""
    rows = {r.question.key: r for r in comparison.questions}
    read = []
    for key in margins:
        row = rows.get(key)
        answers = (
            row
            and [
                row.baseline,
                row.follow_up,
                row.comparison_baseline,
                row.comparison_follow_up,
            ][wave_index]
        )
        read.append(answers and wave_answers_as_read(row.question, answers, comparison.threshold))
    return [margins[i] for i in weighting_exposes(read)]


def _figure(answers: WeightedAnswers | None, shown) -> WeightedFigure | None:
    """A wave's weighted share as published: only beside a published unweighted share,
    and never where it would let a reader solve a small cross-table cell."""
    if answers is None or answers.reveals_small_cells:
        return None
    if shown is None or shown.share is None:
        return None
    m = answers.effective_sample_size
    low, high = wilson_interval(answers.share * m, m)
    return WeightedFigure(answers.share, low, high, m)


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
    comparison: Comparison,
    *,
    figures: dict[int, WaveFigures] | None = None,
    cap: float | None = None,
    minimum_effective_sample: int | None = None,
) -> WeightedComparison:
    """The comparison's weighted figures, its waves' weighting and the headline choice.
    ``figures`` gives each wave's weighting already computed (by wave id); without them
    the waves are weighted from their stored responses now (``waves_figures_live``)."""
    cap = cap or settings.SURVEYS_WEIGHT_CAP
    minimum = minimum_effective_sample or settings.SURVEYS_MINIMUM_EFFECTIVE_SAMPLE
    waves = _waves(comparison)
    asked = [q.key for q in comparison_profile_questions(comparison) if q.key in PROFILE]
    share_rows = [
        r for r in comparison.questions if r.question.has_positive and not r.question.multiple
    ]
    live = getattr(comparison, "live", True)
    if figures is None and live:
        figures = waves_figures_live(
            comparison, share_questions=[r.question for r in share_rows], asked=asked, cap=cap
        )
    elif figures is None:
        figures = waves_figures_published(comparison)
    weightings = [
        WaveWeighting(
            wave, label, figures[wave.pk], _wave_warnings(label, figures[wave.pk], minimum)
        )
        for label, wave in waves
    ]
    if not live:
        # Published results change in steps; raked on one question, a reader knows every
        # weight, so two publications' weighted shares would give away the cross-table of
        # the answers that arrived between them, however few in any profile answer.
        for weighting in weightings:
            if len(weighting.figures.margins) == 1 and weighting.figures.weighted:
                weighting.withheld = (
                    "weighted on one profile question only, its weighted shares could be "
                    "worked back into small counts by comparing publications, so they are "
                    "in the analysts' live view only"
                )
        for index, weighting in enumerate(weightings):
            hidden = weighting.weighted and profile_rows_hidden(
                comparison, weighting.figures.margins, index
            )
            if hidden:
                names = ", ".join(k.removeprefix("profile_").replace("_", " ") for k in hidden)
                weighting.withheld = (
                    f"its published breakdown by {names} hides a small count, which its "
                    "weights (and so its effective sample size and weighted shares) would "
                    "give away, so it is weighted in the analysts' live view only"
                )
    all_weighted = all(w.weighted for w in weightings)

    rows = []
    for row in share_rows:
        published = [row.baseline, row.follow_up, row.comparison_baseline, row.comparison_follow_up]
        # Where the unweighted share leaves "don't know" out of its base (the comparison
        # then carries the change in "don't know" as ``dont_know``), so does the weighted.
        with_a_view = getattr(row, "dont_know", None) is not None
        shown = [
            _figure(
                (w.figures.shares_with_a_view if with_a_view else w.figures.shares).get(
                    row.question.key
                )
                if w.weighted
                else None,
                unweighted,
            )
            for w, unweighted in zip(weightings, published, strict=False)
        ]
        q = WeightedQuestion(row=row, baseline=shown[0], follow_up=shown[1])
        if len(shown) == 4:
            q.comparison_baseline, q.comparison_follow_up = shown[2], shown[3]
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
    result.summary = _summary(rows, weighted=headline == WEIGHTED)
    result.warnings = [w for weighting in weightings for w in weighting.warnings] + [
        f"‘{q.question.text}’: {w}" for q in rows for w in q.warnings
    ]
    return result


def _summary(rows: list[WeightedQuestion], *, weighted: bool) -> list[str]:
    """The weighted comparison in plain words, as the unweighted summary says its own."""
    compared = [q for q in rows if q.change is not None]
    if not compared:
        return ["Weighted, there are too few answers to compare the waves."]
    changed = [q for q in compared if q.change.significant]
    prefix = "Weighted to the area (the headline)" if weighted else "Weighted to the area"
    if not changed:
        return [
            f"{prefix}, none of the {plural(len(compared), 'question')} compared shows a "
            "change that this sample could detect."
            if len(compared) > 1
            else f"{prefix}, the question compared shows no change that this sample could detect."
        ]
    names = "; ".join(f"‘{q.question.text}’ ({points_text(q.change.difference)})" for q in changed)
    return [
        f"{prefix}, {len(changed)} of {plural(len(compared), 'question')} compared "
        f"{'shows' if len(changed) == 1 else 'show'} a change: {names}."
    ]


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


def wave_figures_live(
    wave: SurveyWave, *, cap: float | None = None, threshold: int | None = None
) -> WaveFigures:
    """One wave weighted from its stored responses now, on its own survey's questions: what
    a publication of the wave's results keeps, so comparisons built from published results
    read no answers. Three queries (none but the count when the survey asks no profile
    question)."""
    cap = cap or settings.SURVEYS_WEIGHT_CAP
    threshold = threshold if threshold is not None else settings.SURVEYS_SUPPRESSION_THRESHOLD
    questions = wave.survey.get_questions()
    asked = [q.key for q in questions if q.is_profile]
    share_questions = [q for q in questions if q.has_positive and not q.multiple]
    responses = wave.responses.count()
    population = population_margins_by_area([wave.area_id]).get(wave.area_id, {}) if asked else {}
    respondents = (
        respondents_read([wave], {wave.pk: responses}, asked + [q.key for q in share_questions])[
            wave.pk
        ]
        if population
        else [{}] * responses
    )
    return wave_figures_compute(
        wave,
        respondents=respondents,
        population=population,
        asked=asked,
        share_questions=share_questions,
        cap=cap,
        threshold=threshold,
    )


def weighted_comparison_audit(weighted: WeightedComparison) -> list[str]:
    """What a reader of the published comparison could learn from its weighted figures
    about a hidden count, as ``surveys.disclosure`` judges it; empty when nothing. Each
    weighted share shown must sit beside its published unweighted share (so beside a
    positive count the auditor has passed), and each wave weighted must leave the
    profile breakdowns it was raked on unexposed (``weighting_exposes``)."""
    comparison = weighted.comparison
    findings = []
    for index, weighting in enumerate(weighted.waves):
        if weighting.weighted:
            for key in profile_rows_hidden(comparison, weighting.figures.margins, index):
                findings.append(f"The {weighting.label}'s weights expose its {key} breakdown.")
    for q in weighted.questions:
        published = [q.row.baseline, q.row.follow_up, q.row.comparison_baseline]
        published.append(q.row.comparison_follow_up)
        shown = [q.baseline, q.follow_up, q.comparison_baseline, q.comparison_follow_up]
        for weighting, figure, answers in zip(weighted.waves, shown, published, strict=False):
            if figure is None:
                continue
            read = answers and wave_answers_as_read(q.question, answers, comparison.threshold)
            if not weighting.weighted or read is None or read.positive_count is None:
                findings.append(
                    f"‘{q.question.key}’: the {weighting.label}'s weighted share stands "
                    "beside no published positive count."
                )
            elif not audit_row(read).passes:
                findings.append(f"‘{q.question.key}’: the {weighting.label}'s breakdown fails.")
    return findings
