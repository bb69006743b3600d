"""Reads and aggregation for surveys: every count is a GROUP BY in the database.

``comparison_build`` runs three aggregate queries however many responses there are, and
applies small-count suppression before anything leaves this module, so every screen,
chart, export and published page shows the same protected figures.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count

from .blocks import Question
from .models import Answer, Response, SurveyWave
from .statistics import Change, change_between, wilson_interval
from .suppression import PartnerChoice, partner_order, suppress_row


@dataclass
class WaveSummary:
    wave: SurveyWave
    responses: int
    households: int

    @property
    def response_rate(self) -> float | None:
        return self.responses / self.households if self.households else None


@dataclass
class Cell:
    value: str
    label: str
    count: int | None  # None: suppressed
    percent: float | None
    positive: bool = False


@dataclass
class WaveAnswers:
    answered: int | None  # None: fewer than the threshold answered
    cells: list[Cell]
    positive: int | None = None
    base: int | None = None
    share: float | None = None
    share_low: float | None = None
    share_high: float | None = None


@dataclass
class QuestionComparison:
    question: Question
    baseline: WaveAnswers
    follow_up: WaveAnswers
    change: Change | None
    verdict: str

    @property
    def positive_labels(self) -> str:
        labels = [
            label for value, label in self.question.options if value in self.question.positive
        ]
        return " or ".join(f"‘{label}’" for label in labels)


@dataclass
class Comparison:
    baseline: WaveSummary
    follow_up: WaveSummary
    questions: list[QuestionComparison]
    threshold: int
    summary: list[str] = field(default_factory=list)

    @property
    def with_share(self) -> list[QuestionComparison]:
        return [q for q in self.questions if q.question.has_positive]


def comparison_questions(baseline: SurveyWave, follow_up: SurveyWave) -> list[Question]:
    """The questions both waves can be compared on, by fixed key, in the survey's order."""
    questions = {q.key: q for q in follow_up.survey.get_questions()}
    for q in baseline.survey.get_questions():
        questions.setdefault(q.key, q)
    return [q for q in questions.values() if q.is_choice]


def _answer_values(question: Question, *wave_counts: dict[str, int]) -> list[str]:
    """The question's options, then any answers since retired that either wave holds: the
    same list for both waves, so their cells line up."""
    values = [value for value, _ in question.options]
    retired = {v for counts in wave_counts for v in counts if v not in values}
    return values + sorted(retired)


def wave_answers_publish(
    question: Question,
    values: list[str],
    counts: dict[str, int],
    answered: int,
    threshold: int,
    partner: PartnerChoice | None = None,
) -> WaveAnswers:
    """One wave's answers to one question as they may be published: every screen, chart,
    export and published page takes its figures from here, so the suppression rules in
    ``suppression`` hold everywhere."""
    cell_counts = [counts.get(v, 0) for v in values]
    # The positive share is over everyone who answered, "don't know" included, so the
    # share's base is the question's total and no separate small total can leak.
    positive = [v in question.positive for v in values] if question.has_positive else None
    row = suppress_row(
        cell_counts,
        threshold=threshold,
        answered=answered,
        positive=positive,
        additive=not question.multiple,
        partner=partner,
    )
    cells = [
        Cell(
            value=v,
            label=question.label_for(v),
            count=c if shown else None,
            percent=100 * c / answered if shown else None,
            positive=v in question.positive,
        )
        for v, c, shown in zip(values, cell_counts, row.shown, strict=True)
    ]
    result = WaveAnswers(answered=answered if row.answered_shown else None, cells=cells)
    if row.share_shown:
        positive_count = sum(c for c, p in zip(cell_counts, positive, strict=True) if p)
        result.positive, result.base = positive_count, answered
        result.share = positive_count / answered
        result.share_low, result.share_high = wilson_interval(positive_count, answered)
    return result


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%"


def p_value_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _points(value: float) -> str:
    return f"{100 * value:+.0f} points".replace("-", "−")


def question_verdict(q: QuestionComparison) -> str:
    """One plain sentence that never claims more than the figures carry."""
    if not q.question.has_positive:
        return ""
    if q.change is None:
        return "Too few answers in one of the waves to compare."
    c = q.change
    shares = f"from {_percent(c.baseline_share)} to {_percent(c.follow_up_share)}"
    interval = f"95% confidence interval {_points(c.lower)} to {_points(c.upper)}"
    if c.significant:
        direction = "rose" if c.difference > 0 else "fell"
        return (
            f"The share answering {q.positive_labels} {direction} {shares} "
            f"({_points(c.difference)}, {interval}; {p_value_text(c.p_value)}). This is a change "
            f"bigger than chance alone would usually give, not proof that the operation "
            f"caused it."
        )
    return (
        f"No change detectable at this sample size: the share answering {q.positive_labels} "
        f"went {shares} ({interval}; {p_value_text(c.p_value)}). Only a change of about "
        f"{100 * c.minimum_detectable:.0f} points or more would have been likely to show."
    )


def _summary(comparison: Comparison) -> list[str]:
    lines = []
    for label, wave in (("baseline", comparison.baseline), ("follow-up", comparison.follow_up)):
        rate = wave.response_rate
        rate_text = f" ({100 * rate:.1f}% of {wave.households:,} households)" if rate else ""
        lines.append(f"The {label} had {wave.responses:,} responses{rate_text}.")
    rates = [w.response_rate for w in (comparison.baseline, comparison.follow_up)]
    if any(r is not None and r < 0.2 for r in rates):
        lines.append(
            "Fewer than one household in five answered, so the answers may not represent "
            "the whole area."
        )
    compared = [q for q in comparison.with_share if q.change is not None]
    changed = [q for q in compared if q.change.significant]
    if not compared:
        lines.append("There are too few answers to compare the waves yet.")
    elif not changed:
        lines.append(
            f"None of the {len(compared)} questions compared shows a change that this sample "
            "could detect."
        )
    else:
        names = "; ".join(f"‘{q.question.text}’ ({_points(q.change.difference)})" for q in changed)
        lines.append(
            f"{len(changed)} of {len(compared)} questions show a change: {names}. A change "
            "between two surveys shows that perceptions differ, not that the operation "
            "caused the difference: other things change too, and the residents who answer "
            "differ each time."
        )
    if len(compared) >= 5 and changed:
        lines.append("With many questions, about one in twenty can show a change by chance alone.")
    return lines


def comparison_build(
    *, baseline: SurveyWave, follow_up: SurveyWave, threshold: int | None = None
) -> Comparison:
    """Everything the comparison screen, charts, exports and summary page show."""
    if threshold is None:
        threshold = settings.SURVEYS_SUPPRESSION_THRESHOLD
    ids = [baseline.pk, follow_up.pk]
    questions = comparison_questions(baseline, follow_up)
    multiple_keys = [q.key for q in questions if q.multiple]

    responses = dict(
        Response.objects.filter(wave_id__in=ids)
        .values_list("wave_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts: dict[tuple[int, str], dict[str, int]] = {}
    for wave_id, key, choice, n in (
        Answer.objects.filter(wave_id__in=ids)
        .exclude(choice="")
        .values_list("wave_id", "question_key", "choice")
        # COUNT(*) lets PostgreSQL answer from the (wave, key, choice) index alone.
        .annotate(n=Count("*"))
        .order_by()
    ):
        counts.setdefault((wave_id, key), {})[choice] = n
    answered_multiple = {}
    if multiple_keys:
        answered_multiple = {
            (wave_id, key): n
            for wave_id, key, n in Answer.objects.filter(
                wave_id__in=ids, question_key__in=multiple_keys
            )
            .values_list("wave_id", "question_key")
            .annotate(n=Count("response_id", distinct=True))
            .order_by()
        }

    rows = []
    for question in questions:
        per_wave = []
        both = [counts.get((wave.pk, question.key), {}) for wave in (baseline, follow_up)]
        values = _answer_values(question, *both)
        for wave, wave_counts in zip((baseline, follow_up), both, strict=True):
            answered = (
                answered_multiple.get((wave.pk, question.key), 0)
                if question.multiple
                else sum(wave_counts.values())
            )
            per_wave.append(
                wave_answers_publish(
                    question,
                    values,
                    wave_counts,
                    answered,
                    threshold,
                    partner_order(wave.pk, question.key, values),
                )
            )
        base, follow = per_wave
        change = None
        if question.has_positive and base.share is not None and follow.share is not None:
            change = change_between(base.positive, base.base, follow.positive, follow.base)
        row = QuestionComparison(question, base, follow, change, "")
        row.verdict = question_verdict(row)
        rows.append(row)

    comparison = Comparison(
        baseline=WaveSummary(
            baseline, responses.get(baseline.pk, 0), baseline.area.household_count
        ),
        follow_up=WaveSummary(
            follow_up, responses.get(follow_up.pk, 0), follow_up.area.household_count
        ),
        questions=rows,
        threshold=threshold,
    )
    comparison.summary = _summary(comparison)
    return comparison


def raw_responses(waves: list[SurveyWave], questions: list[Question]):
    """Anonymous raw responses, one row per response, streamed in response order.

    Rows come ordered from the database and are grouped as they stream, so memory stays
    bounded by one response.
    """
    keys = [q.key for q in questions]
    wave_labels = {w.pk: w.get_kind_display() for w in waves}
    current = None
    row: dict[str, list[str]] = {}
    answers = (
        Answer.objects.filter(wave__in=waves)
        .order_by("response_id", "question_key", "choice")
        .values_list(
            "response_id", "wave_id", "response__submitted_on", "question_key", "choice", "text"
        )
        .iterator(chunk_size=5000)
    )
    for response_id, wave_id, submitted_on, key, choice, text in answers:
        if current is None or current[0] != response_id:
            if current is not None:
                yield _raw_row(current, row, keys)
            current = (response_id, wave_labels[wave_id], submitted_on)
            row = {}
        row.setdefault(key, []).append(text or choice)
    if current is not None:
        yield _raw_row(current, row, keys)


def _raw_row(current, row, keys):
    # The response's own id is replaced by nothing identifying: the export numbers rows.
    _, wave_label, submitted_on = current
    return [wave_label, submitted_on.isoformat()] + ["; ".join(row.get(k, [])) for k in keys]


AGGREGATE_HEADER = [
    "question_key",
    "question",
    "row",
    "answer",
    "baseline_count",
    "baseline_percent",
    "follow_up_count",
    "follow_up_percent",
    "change_points",
    "ci_low_points",
    "ci_high_points",
    "p_value",
    "minimum_detectable_points",
]
SUPPRESSED = "suppressed"


def _r(value, places=1):
    return round(value, places) if value is not None else SUPPRESSED


def comparison_table_rows(comparison: Comparison):
    """The aggregate table as exported: suppressed cells say so, never a number."""
    b, f = comparison.baseline, comparison.follow_up
    yield [
        "",
        "Responses",
        "responses",
        "",
        b.responses,
        _r(100 * b.response_rate, 2) if b.response_rate is not None else "",
        f.responses,
        _r(100 * f.response_rate, 2) if f.response_rate is not None else "",
    ] + [""] * 5
    for q in comparison.questions:
        for bc, fc in zip(q.baseline.cells, q.follow_up.cells, strict=True):
            yield [
                q.question.key,
                q.question.text,
                "answer",
                bc.label,
                _r(bc.count, 0),
                _r(bc.percent),
                _r(fc.count, 0),
                _r(fc.percent),
            ] + [""] * 5
        if q.question.has_positive:
            c = q.change
            yield [
                q.question.key,
                q.question.text,
                "positive share",
                q.positive_labels,
                _r(q.baseline.base, 0),
                _r(100 * q.baseline.share if q.baseline.share is not None else None),
                _r(q.follow_up.base, 0),
                _r(100 * q.follow_up.share if q.follow_up.share is not None else None),
                _r(100 * c.difference) if c else SUPPRESSED,
                _r(100 * c.lower) if c else SUPPRESSED,
                _r(100 * c.upper) if c else SUPPRESSED,
                round(c.p_value, 4) if c else SUPPRESSED,
                _r(100 * c.minimum_detectable) if c else SUPPRESSED,
            ]


def comparison_snapshot(comparison: Comparison) -> list[dict]:
    """What a published "you said, we did" page keeps: suppressed figures only."""
    return [
        {
            "key": q.question.key,
            "question": q.question.text,
            "positive": q.positive_labels,
            "baseline": round(100 * q.baseline.share) if q.baseline.share is not None else None,
            "follow_up": round(100 * q.follow_up.share) if q.follow_up.share is not None else None,
            "verdict": q.verdict,
        }
        for q in comparison.with_share
    ]
