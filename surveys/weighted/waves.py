"""One wave weighted to its area: everything a comparison needs from it, as plain data.

Each wave is raked on its own (its respondents, its area's margins), so what weighting
yields for a wave (``WaveFigures``: how the weights came out, and each share question's
weighted share with the effective sample size of its answers) can be computed once from
the stored responses and kept beside the wave's published counts (``as_json`` /
``from_json``), then combined with other waves' into a comparison without reading
responses again.
"""

from dataclasses import asdict, dataclass, field

from django.db.models import Max, Q

from ..blocks import Question
from ..models import Answer, SurveyWave
from ..population.checks import margins_warnings
from ..question_bank import DONT_KNOW
from ..weighting import Margin, rake, weighted_share

# When the cap keeps raking from meeting every margin exactly, the weights are still used
# if no weighted share misses its population share by more than this (one point); beyond
# it the wave is not weighted.
ACCEPTABLE_GAP = 0.01
DONT_KNOW_VALUE = DONT_KNOW[0]


@dataclass(frozen=True)
class WeightedAnswers:
    """One question's weighted positive share in one wave, among those who answered it."""

    share: float
    effective_sample_size: float
    # Published beside the unweighted figures, a reader could solve a small count of an
    # unpublished cross-table from it (``reveals_small_cells``): it is then withheld.
    reveals_small_cells: bool = False


@dataclass(frozen=True)
class WaveFigures:
    respondents: int
    # Why the wave is not weighted ("" when it is).
    problem: str = ""
    margins: tuple[str, ...] = ()
    converged: bool = False
    rounds: int = 0
    largest_gap: float = 0.0
    largest_weight: float = 0.0
    capped: int = 0
    cap: float = 0.0
    effective_sample_size: float | None = None
    design_effect: float | None = None
    skipped: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    population_warnings: tuple[str, ...] = ()
    shares: dict[str, WeightedAnswers] = field(default_factory=dict)
    # The same among those with a view ("don't know" left out of the base), for the
    # questions that offer "don't know".
    shares_with_a_view: dict[str, WeightedAnswers] = field(default_factory=dict)

    @property
    def weighted(self) -> bool:
        return bool(self.margins) and not self.problem

    def as_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "WaveFigures":
        data = dict(data)
        data["margins"] = tuple(data.get("margins", ()))
        data["notes"] = tuple(data.get("notes", ()))
        data["population_warnings"] = tuple(data.get("population_warnings", ()))
        for name in ("shares", "shares_with_a_view"):
            data[name] = {k: WeightedAnswers(**v) for k, v in data.get(name, {}).items()}
        return cls(**data)


def reveals_small_cells(
    respondents, key: str, positive, margins: tuple[str, ...], threshold: int
) -> bool:
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
    if len(margins) != 1:
        return False
    [dimension] = margins
    cells: dict[tuple[str, bool], int] = {}
    for r in respondents:
        if key in r:
            cell = (r.get(dimension, ""), r[key] in positive)
            cells[cell] = cells.get(cell, 0) + 1
    categories = {category for category, _ in cells}
    return any(
        cells.get((category, flag), 0) < threshold
        for category in categories
        for flag in (True, False)
    )


def _weighted_answers(
    question: Question, weighted: list[tuple[dict, float]], margins, threshold: int
) -> WeightedAnswers | None:
    """The weighted positive share of ``question`` among the (respondent, weight) pairs."""
    key, positive = question.key, question.positive
    answered = [(w, r[key] in positive) for r, w in weighted if key in r]
    if not answered or not sum(w for w, _ in answered):
        return None
    result = weighted_share([w for w, _ in answered], [p for _, p in answered])
    return WeightedAnswers(
        share=result.share,
        effective_sample_size=result.effective_sample_size,
        reveals_small_cells=reveals_small_cells(
            [r for r, _ in weighted], key, positive, margins, threshold
        ),
    )


def wave_figures_compute(
    wave: SurveyWave,
    *,
    respondents: list[dict[str, str]],
    population: dict[str, dict[str, int]],
    asked: list[str],
    share_questions: list[Question],
    cap: float,
    threshold: int,
) -> WaveFigures:
    """Rake one wave's respondents (dicts of their single-choice answers by question key)
    to its area's ``population`` margins on the profile questions ``asked``, and weigh
    each share question's answers."""
    n = len(respondents)
    if not population:
        return WaveFigures(
            n,
            problem=f"{wave.area} has no population margins yet (add them under Population margins)",
        )
    if not asked:
        return WaveFigures(
            n, problem="the survey asks none of the “Who answered” questions that weighting needs"
        )
    usable = [k for k in asked if population.get(k) and sum(population[k].values()) > 0]
    if not usable:
        return WaveFigures(
            n, problem=f"{wave.area}'s population margins cover none of the profile questions asked"
        )
    raking = rake(respondents, [Margin.from_counts(k, population[k]) for k in usable], cap=cap)
    population_warnings = tuple(
        f"{wave.area}: {w}"
        for w in margins_warnings(population, households=wave.area.household_count)
    )
    problem = ""
    if raking.largest_gap > ACCEPTABLE_GAP:
        problem = (
            f"with no weight above {cap:g} times the average, its weighted answers still "
            f"miss the population by up to {100 * raking.largest_gap:.1f} points"
        )
    everyone = list(zip(respondents, raking.weights, strict=True))
    shares, shares_with_a_view = {}, {}
    for question in share_questions:
        bases = [(shares, everyone)]
        if DONT_KNOW_VALUE in dict(question.options):
            with_a_view = [(r, w) for r, w in everyone if r.get(question.key) != DONT_KNOW_VALUE]
            bases.append((shares_with_a_view, with_a_view))
        for into, among in bases:
            answers = _weighted_answers(question, among, raking.margins, threshold)
            if answers is not None:
                into[question.key] = answers
    return WaveFigures(
        respondents=n,
        problem=problem,
        margins=raking.margins,
        converged=raking.converged,
        rounds=raking.rounds,
        largest_gap=raking.largest_gap,
        largest_weight=raking.largest_weight,
        capped=raking.capped,
        cap=cap,
        effective_sample_size=raking.effective_sample_size,
        design_effect=raking.design_effect,
        skipped=dict(raking.skipped),
        notes=tuple(note for note in raking.notes if raking.converged or "could not" not in note),
        population_warnings=population_warnings,
        shares=shares,
        shares_with_a_view=shares_with_a_view,
    )


def respondents_read(
    waves: list[SurveyWave], counts: dict[int, int], keys: list[str]
) -> dict[int, list[dict[str, str]]]:
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
