"""Weights that make a wave's respondents look like its area: raking to census margins.

A letterbox survey is answered more by some residents than others, and two waves can be
answered by different mixes of people. Raking (iterative proportional fitting; Deming and
Stephan 1940; Kalton and Flores-Cervantes 2003, "Weighting methods") gives each respondent
a weight so that the weighted shares of each profile question (age band, sex, tenure,
ethnic group) match the area's population, one question at a time, over and over until
all match together. The rules this module follows, stated so an evaluator can check them:

- **Cells, not people.** Respondents with the same profile answers always get the same
  weight, so the fitting runs over the distinct combinations of answers (at most a few
  hundred), which keeps it exact and fast in plain Python.
- **Skipped questions.** A respondent who skipped a profile question or chose "prefer not
  to say" is left out of that question's adjustment: the question's margin is matched
  among those who answered it, and the skipper keeps the weight the other questions give.
  No answer is imputed. The number who skipped each question is reported.
- **Categories nobody in the sample gave.** A population category no respondent falls in
  cannot be represented; it is dropped from that margin, the other shares are rescaled to
  sum to one, and a note says so.
- **Cap and trim.** After each full round of adjustments, weights above ``cap`` times the
  mean weight (5 by default) are cut to the cap, and raking continues, so the final
  weights respect the cap and match the margins as closely as the cap allows (the
  "raking with trimming" of Izrael, Hoaglin and Battaglia 2000). If the margins cannot all
  be met within the cap, the result says it did not converge and by how much it misses.
- **Scale.** Weights average 1 over the wave's respondents, so a weighted count reads on
  the same scale as the number who answered.
- **Precision.** Kish's effective sample size, (Σw)² / Σw², is the number of
  simple-random-sample answers carrying the same information as the weighted ones; the
  design effect from weighting is n / that, equal to 1 + the squared coefficient of
  variation of the weights (Kish 1965, "Survey Sampling", 11.7).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

DEFAULT_CAP = 5.0
TOLERANCE = 1e-10
MAX_ROUNDS = 2000


@dataclass(frozen=True)
class Margin:
    """One profile question's population shares, by answer value (summing to 1)."""

    key: str
    shares: dict[str, float]

    @classmethod
    def from_counts(cls, key: str, counts: dict[str, float]) -> "Margin":
        total = sum(counts.values())
        if total <= 0:
            raise ValueError(f"The population of '{key}' adds up to nothing.")
        return cls(key, {value: count / total for value, count in counts.items()})


@dataclass(frozen=True)
class Raking:
    """The weights of one wave's respondents and how they were reached."""

    weights: tuple[float, ...]
    converged: bool
    rounds: int
    # The largest gap, over every margin and category, between a weighted share among
    # those who answered and the population share (0.02 = two points).
    largest_gap: float
    cap: float
    capped: int  # respondents whose weight sits at the cap
    margins: tuple[str, ...]
    skipped: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def respondents(self) -> int:
        return len(self.weights)

    @property
    def effective_sample_size(self) -> float:
        return effective_sample_size(self.weights)

    @property
    def design_effect(self) -> float:
        ess = self.effective_sample_size
        return self.respondents / ess if ess else float("inf")

    @property
    def largest_weight(self) -> float:
        return max(self.weights, default=0.0)

    @property
    def smallest_weight(self) -> float:
        return min(self.weights, default=0.0)


def effective_sample_size(weights: Sequence[float]) -> float:
    """Kish's effective sample size, (Σw)² / Σw²."""
    squares = sum(w * w for w in weights)
    return sum(weights) ** 2 / squares if squares else 0.0


def design_effect(weights: Sequence[float]) -> float:
    """Kish's design effect from unequal weights, n / effective sample size."""
    ess = effective_sample_size(weights)
    return len(weights) / ess if ess else float("inf")


def rake(
    profiles: Sequence[dict[str, str]],
    margins: Sequence[Margin],
    *,
    cap: float = DEFAULT_CAP,
    tolerance: float = TOLERANCE,
    max_rounds: int = MAX_ROUNDS,
) -> Raking:
    """Rake respondents (each a dict of profile key → answer value; a key that is absent,
    or a value outside the margin such as "prefer not to say", counts as skipped) to
    ``margins``. Returns weights in the respondents' order, averaging 1."""
    if cap <= 1:
        raise ValueError("The cap must be above the mean weight of 1.")
    n = len(profiles)
    keys = tuple(m.key for m in margins)
    if n == 0:
        return Raking((), True, 0, 0.0, cap, 0, keys)

    # Each respondent's cell: the tuple of their categories (None where skipped).
    respondent_cells = [
        tuple(p.get(m.key) if p.get(m.key) in m.shares else None for m in margins) for p in profiles
    ]
    sizes = Counter(respondent_cells)
    cells = list(sizes)
    size = [sizes[c] for c in cells]
    skipped = {
        m.key: sum(1 for c in respondent_cells if c[i] is None) for i, m in enumerate(margins)
    }

    notes = []
    targets: list[dict[str, float]] = []
    for i, margin in enumerate(margins):
        present = {c[i] for c in cells if c[i] is not None}
        missing = [v for v, share in margin.shares.items() if share > 0 and v not in present]
        kept = {v: s for v, s in margin.shares.items() if v in present}
        total = sum(kept.values())
        if missing:
            notes.append(
                f"No respondent gave {', '.join(repr(v) for v in sorted(missing))} for "
                f"'{margin.key}': that part of the population cannot be represented, and "
                "the other shares were scaled up to fill it."
            )
        if total <= 0:
            notes.append(f"Nobody who answered '{margin.key}' is in its population: not used.")
            targets.append({})
        else:
            targets.append({v: s / total for v, s in kept.items()})

    # Per-cell weight of one respondent; the cell's total is weight × size.
    weight = [1.0] * len(cells)
    limit = cap  # weights average 1, so the cap is cap × the mean
    rounds = 0
    gap = _largest_gap(cells, size, weight, targets)
    converged = gap <= tolerance
    while not converged and rounds < max_rounds:
        rounds += 1
        for i, target in enumerate(targets):
            if not target:
                continue
            totals: dict[str, float] = {}
            for c, s, w in zip(cells, size, weight, strict=True):
                if c[i] is not None:
                    totals[c[i]] = totals.get(c[i], 0.0) + s * w
            answered = sum(totals.values())
            factor = {v: target[v] * answered / t for v, t in totals.items() if t > 0}
            for j, c in enumerate(cells):
                if c[i] is not None:
                    weight[j] *= factor.get(c[i], 0.0)
        weight = _trim(weight, size, n, limit)
        gap = _largest_gap(cells, size, weight, targets)
        converged = (
            gap <= tolerance
            and abs(sum(s * w for s, w in zip(size, weight, strict=True)) - n) <= tolerance * n
        )
    by_cell = dict(zip(cells, weight, strict=True))
    weights = tuple(by_cell[c] for c in respondent_cells)
    at_cap = sum(1 for w in weights if w >= limit * (1 - 1e-9))
    if not converged:
        notes.append(
            f"The margins could not all be met with no weight above {cap:g} times the "
            f"average: the largest gap left is {100 * gap:.1f} points after {rounds} rounds."
        )
    return Raking(
        weights=weights,
        converged=converged,
        rounds=rounds,
        largest_gap=_largest_gap(cells, size, weight, targets),
        cap=cap,
        capped=at_cap,
        margins=keys,
        skipped=skipped,
        notes=tuple(notes),
    )


def _trim(weight: list[float], size: list[int], n: int, limit: float) -> list[float]:
    """Weights scaled to average 1, those above ``limit`` cut to it and the excess spread
    over the others in proportion to their weights, until none is above the limit."""
    weight = list(weight)
    fixed = [False] * len(weight)
    while True:
        free_total = sum(s * w for s, w, f in zip(size, weight, fixed, strict=True) if not f)
        fixed_total = sum(s * limit for s, f in zip(size, fixed, strict=True) if f)
        if free_total <= 0:
            return weight
        scale = (n - fixed_total) / free_total
        weight = [limit if f else w * scale for w, f in zip(weight, fixed, strict=True)]
        over = [not f and w > limit for w, f in zip(weight, fixed, strict=True)]
        if not any(over):
            return weight
        fixed = [f or o for f, o in zip(fixed, over, strict=True)]


def _largest_gap(cells, size, weight, targets) -> float:
    gap = 0.0
    for i, target in enumerate(targets):
        if not target:
            continue
        totals: dict[str, float] = {}
        for c, s, w in zip(cells, size, weight, strict=True):
            if c[i] is not None:
                totals[c[i]] = totals.get(c[i], 0.0) + s * w
        answered = sum(totals.values())
        if not answered:
            continue
        for value, share in target.items():
            gap = max(gap, abs(totals.get(value, 0.0) / answered - share))
    return gap


@dataclass(frozen=True)
class WeightedShare:
    """A weighted share among those who answered, with the effective sample size of those
    answers: the share's interval and tests treat it as share × ESS out of ESS."""

    share: float
    answered: int
    weighted_answered: float
    effective_sample_size: float

    @property
    def effective_positive(self) -> float:
        return self.share * self.effective_sample_size


def weighted_share(weights: Sequence[float], positive: Sequence[bool]) -> WeightedShare:
    """The weighted share of ``positive`` among respondents with these ``weights`` (those
    who answered the question)."""
    total = sum(weights)
    if not weights or total <= 0:
        raise ValueError("A weighted share needs at least one answer with weight.")
    hits = sum(w for w, p in zip(weights, positive, strict=True) if p)
    return WeightedShare(
        share=hits / total,
        answered=len(weights),
        weighted_answered=total,
        effective_sample_size=effective_sample_size(weights),
    )
