"""Reads and aggregation for surveys: every count is a GROUP BY in the database.

``comparison_build`` runs three aggregate queries however many responses there are, and
applies small-count suppression before anything leaves this module, so every screen,
chart, export and published page shows the same protected figures.

Longer than 500 lines on purpose: every figure a comparison publishes (the page, its
charts, both downloads, the "you said, we did" snapshot) is read here, through
``wave_answers_publish``, so each door of the suppression rule can be checked in one
module.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext, gettext_lazy
from signpost.languages import languages

from .blocks import Question
from .charts import change_chart
from .disclosure import PublishedRow, audit_row
from .formatting import (
    confidence_text,
    p_value_number,
    p_value_text,
    percent_of,
    plural,
    points_number,
    points_text,
    size_points,
)
from .models import CODE_LENGTH, Answer, Response, SurveyWave, WaveResults
from .question_bank import DONT_KNOW
from .statistics import (
    Change,
    DifferenceInDifferences,
    change_between,
    changes_between,
    difference_in_differences,
    wilson_interval,
)
from .suppression import PartnerChoice, partner_order, suppress_row


@dataclass
class WaveSummary:
    wave: SurveyWave
    responses: int
    households: int
    threshold: int = 0

    @property
    def responses_shown(self) -> bool:
        """Fewer responses than the threshold are shown as "fewer than …"."""
        return self.responses >= self.threshold

    @property
    def response_rate(self) -> float | None:
        if not self.households or not self.responses_shown:
            return None
        return self.responses / self.households


@dataclass
class Cell:
    value: str
    label: str
    count: int | None  # None: suppressed
    percent: float | None  # as written (rounded), for charts and downloads
    positive: bool = False
    percent_label: str = ""  # "58%", from the counts: the one rounding


@dataclass
class WaveAnswers:
    answered: int | None  # None: fewer than the threshold answered (or withheld)
    cells: list[Cell]
    positive: int | None = None
    base: int | None = None
    share: float | None = None
    share_low: float | None = None
    share_high: float | None = None
    share_label: str = ""  # "58%", from the positive count and its base
    # Withheld whole by the auditor: not even "fewer than the threshold" is said.
    withheld: bool = False


@dataclass
class QuestionComparison:
    question: Question
    baseline: WaveAnswers
    follow_up: WaveAnswers
    change: Change | None
    verdict: str
    # With a comparison area: its two waves' answers and the difference in differences.
    comparison_baseline: WaveAnswers | None = None
    comparison_follow_up: WaveAnswers | None = None
    comparison_change: Change | None = None
    did: DifferenceInDifferences | None = None
    did_verdict: str = ""
    # The share is of those with a view ("don't know" left out of its base), with "don't
    # know" beside it; otherwise of everyone who answered.
    among_those_with_a_view: bool = False
    dont_know: Change | None = None

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
    comparison_baseline: WaveSummary | None = None
    comparison_follow_up: WaveSummary | None = None
    detectable_warning_points: int = 15
    # Built from the stored responses as they are now, not the published results.
    live: bool = False
    # Responses by the language they were given in, suppressed like any question's
    # answers; None when every response was in the default language.
    by_language: QuestionComparison | None = None

    @property
    def with_share(self) -> list[QuestionComparison]:
        return [q for q in self.questions if q.question.has_positive]

    @property
    def compared(self) -> list[QuestionComparison]:
        return [q for q in self.with_share if q.change is not None]

    @property
    def adjusted(self) -> bool:
        """Whether p-values and intervals were adjusted for several questions (Holm)."""
        return len(self.compared) > 1

    @property
    def has_comparison_area(self) -> bool:
        return self.comparison_baseline is not None


DONT_KNOW_VALUE = DONT_KNOW[0]

CODE_USED = gettext_lazy(
    "This code has already been used, so the survey has been answered for this household. "
    "Each leaflet's code works once, so that every household is counted once. Thank you."
)
CODE_UNKNOWN = gettext_lazy("We do not recognise this code. Please check it against your leaflet.")


def response_code_problem(*, wave: SurveyWave, code: str) -> str:
    """Why a household code cannot be used for this wave (empty when it can): checked
    before the resident starts answering, and again, atomically, when they send."""
    if len(code) != CODE_LENGTH:
        return gettext(
            "Codes have eight letters and numbers. Please check it against your leaflet."
        )
    found = list(wave.codes.filter(code=code, active=True).values_list("used", flat=True)[:1])
    if not found:
        return CODE_UNKNOWN
    return CODE_USED if found[0] else ""


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
            percent=float(percent_of(c, answered)) if shown else None,
            positive=v in question.positive,
            percent_label=f"{percent_of(c, answered)}%" if shown else "",
        )
        for v, c, shown in zip(values, cell_counts, row.shown, strict=True)
    ]
    result = WaveAnswers(
        answered=answered if row.answered_shown else None, cells=cells, withheld=row.withheld
    )
    if row.share_shown:
        positive_count = sum(c for c, p in zip(cell_counts, positive, strict=True) if p)
        result.positive, result.base = positive_count, answered
        result.share = positive_count / answered
        result.share_low, result.share_high = wilson_interval(positive_count, answered)
        result.share_label = f"{percent_of(positive_count, answered)}%"
    return result


def wave_answers_as_read(
    question: Question, answers: WaveAnswers, threshold: int
) -> PublishedRow | None:
    """What a reader sees of one wave's published answers, as the auditor takes it: the
    counts shown, the number who answered and the positive count behind the share. None
    for a breakdown withheld whole."""
    if answers.withheld:
        return None
    return PublishedRow(
        threshold=threshold,
        cells=tuple(cell.count for cell in answers.cells),
        positive=tuple(cell.value in question.positive for cell in answers.cells)
        if question.has_positive
        else (False,) * len(answers.cells),
        answered=answers.answered,
        positive_count=answers.positive,
        multiple=question.multiple,
    )


@dataclass(frozen=True)
class AuditFinding:
    question_key: str
    wave: str
    exposed: dict


def comparison_audit(comparison: Comparison) -> tuple[int, list[AuditFinding]]:
    """Audit every breakdown a comparison shows, as a reader sees it: how many were
    audited, and any hidden cell a reader could narrow to fewer than three values."""
    audited, findings = 0, []
    breakdowns = comparison.questions + [comparison.by_language] * bool(comparison.by_language)
    for q in breakdowns:
        for label, answers in (
            ("baseline", q.baseline),
            ("follow-up", q.follow_up),
            ("comparison baseline", q.comparison_baseline),
            ("comparison follow-up", q.comparison_follow_up),
        ):
            row = answers and wave_answers_as_read(q.question, answers, comparison.threshold)
            if row is None:
                continue
            audited += 1
            exposed = audit_row(row).exposed
            if exposed:
                findings.append(AuditFinding(q.question.key, label, exposed))
    return audited, findings


def _share_among_those_with_a_view(row: QuestionComparison) -> None:
    """Leave "don't know" out of the share's base, where every wave compared shows its
    "don't know" count, so the share is of those with a view and a move to "don't know"
    is not read as a fall; the base (who answered, less "don't know") then comes from
    figures already shown, so nothing new is disclosed. "Don't know" gets its own
    change, as a share of those answering."""
    question = row.question
    values = [c.value for c in row.baseline.cells]
    if not question.has_positive or DONT_KNOW_VALUE not in values:
        return
    waves = [row.baseline, row.follow_up]
    if row.comparison_baseline is not None:
        waves += [row.comparison_baseline, row.comparison_follow_up]
    at = values.index(DONT_KNOW_VALUE)
    if any(w.share is None or w.cells[at].count is None for w in waves):
        return
    for answers in waves:
        dont_know = answers.cells[at].count
        answers.base = answers.answered - dont_know
        answers.share = answers.positive / answers.base
        answers.share_low, answers.share_high = wilson_interval(answers.positive, answers.base)
        answers.share_label = f"{percent_of(answers.positive, answers.base)}%"
    row.among_those_with_a_view = True
    b, f = row.baseline, row.follow_up
    row.dont_know = change_between(b.cells[at].count, b.answered, f.cells[at].count, f.answered)


def _dont_know_sentence(q: QuestionComparison) -> str:
    if q.among_those_with_a_view:
        d = q.dont_know
        b, f = q.baseline.cells, q.follow_up.cells
        at = [c.value for c in b].index(DONT_KNOW_VALUE)
        moved = (
            "a change bigger than chance would usually give, so read the share among those "
            "with a view beside it"
            if d.significant
            else "no change this sample could detect"
        )
        return (
            f" The share is of those with a view; ‘Don't know’ went from {b[at].percent_label} "
            f"to {f[at].percent_label} of those answering ({points_text(d.difference)}): "
            f"{moved}."
        )
    if DONT_KNOW_VALUE not in dict(q.question.options):
        return ""
    at = [c.value for c in q.baseline.cells].index(DONT_KNOW_VALUE)
    shown = [
        (label, answers.cells[at].percent_label)
        for label, answers in (("baseline", q.baseline), ("follow-up", q.follow_up))
        if answers.cells[at].count is not None
    ]
    sentence = (
        " ‘Don't know’ is counted in the share's base, because in a wave compared it is "
        "hidden (too few said it, or it protects a small count)"
    )
    if len(shown) == 1:
        label, percent = shown[0]
        sentence += (
            f"; in the {label} {percent} of those answering said it, so part of the change "
            "may be people moving to or from ‘Don't know’ rather than changing their view"
        )
    return sentence + "."


def question_verdict(q: QuestionComparison, *, adjusted: bool = False) -> str:
    """One plain sentence that never claims more than the figures carry, and whose
    figures are exactly those in the table."""
    if not q.question.has_positive:
        return ""
    if q.change is None:
        return "Too few answers in one of the waves to compare."
    c = q.change
    shares = f"from {q.baseline.share_label} to {q.follow_up.share_label}"
    interval = (
        f"{confidence_text(c.confidence)} confidence interval {points_text(c.lower)} to "
        f"{points_text(c.upper)}"
    )
    p = p_value_text(c.adjusted_p_value)
    if adjusted:
        p += " after Holm's adjustment"
    dont_know = _dont_know_sentence(q)
    if c.significant:
        direction = "rose" if c.difference > 0 else "fell"
        return (
            f"The share answering {q.positive_labels} {direction} {shares} "
            f"({points_text(c.difference)}, {interval}; {p}). This is a change bigger than "
            f"chance alone would usually give, not proof that the operation caused it."
            f"{dont_know}"
        )
    level = (
        f" at the {100 * (1 - c.confidence):g}% level Holm's method tested it at"
        if adjusted
        else ""
    )
    return (
        f"No change detectable at this sample size: the share answering {q.positive_labels} "
        f"went {shares} ({points_text(c.difference)}, {interval}; {p}). Only a change of "
        f"about {size_points(c.minimum_detectable)} points or more would have been likely to "
        f"show{level}.{dont_know}"
    )


def _moved(change: float) -> str:
    """A change in a share in words, from its sign and size."""
    if points_number(change) in ("0.0", "0.000000"):
        return "did not change"
    return f"{'rose' if change > 0 else 'fell'} by {points_text(abs(change)).lstrip('+')}"


PARALLEL_TRENDS = (
    "This rests on the assumption that, without the operation, the two areas' shares "
    "would have moved alike (parallel trends); it is not proof that the operation caused "
    "the difference."
)


def did_verdict(q: QuestionComparison) -> str:
    """The difference in differences in plain words, each direction word taken from the
    sign and size of the figure it describes, with the assumption it rests on."""
    if q.did is None:
        return ""
    d = q.did
    figures = (
        f"the share {_moved(d.operation_change)} in the operation area and "
        f"{_moved(d.comparison_change)} in the comparison area: a difference in differences "
        f"of {points_text(d.difference)} (95% confidence interval {points_text(d.lower)} to "
        f"{points_text(d.upper)})"
    )
    if d.excludes_zero:
        relative = "higher" if d.difference > 0 else "lower"
        return (
            f"Against the comparison area, {figures}. Relative to the comparison area, the "
            f"operation area's share ended {size_points(abs(d.difference))} points "
            f"{relative} than it started, by more than chance would usually give. "
            f"{PARALLEL_TRENDS}"
        )
    return (
        f"Against the comparison area, {figures}. The two areas' changes cannot be told "
        f"apart at these sample sizes. {PARALLEL_TRENDS}"
    )


def _summary(comparison: Comparison) -> list[str]:
    lines = []
    threshold = comparison.threshold
    for label, wave in (("baseline", comparison.baseline), ("follow-up", comparison.follow_up)):
        if not wave.responses_shown:
            lines.append(f"The {label} had fewer than {threshold} responses.")
            continue
        rate = wave.response_rate
        rate_text = f" ({100 * rate:.1f}% of {wave.households:,} households)" if rate else ""
        lines.append(f"The {label} had {plural(wave.responses, 'response')}{rate_text}.")
    for label, wave in (("baseline", comparison.baseline), ("follow-up", comparison.follow_up)):
        if wave.response_rate is not None and wave.response_rate > 1:
            lines.append(
                f"The {label} had more answers than the area has households: it was open to "
                "anyone with the link, so its answers may include people from outside the "
                "area, or several from one household."
            )
    b, f = comparison.baseline, comparison.follow_up
    overlap = b.responses + f.responses - b.households
    if (
        b.responses_shown
        and f.responses_shown
        and b.wave.area_id == f.wave.area_id
        and b.households
        and overlap > 0
    ):
        lines.append(
            f"Between them the two waves had more answers than the area's {b.households:,} "
            f"households, so at least {overlap:,} households probably answered both. The "
            "comparison treats the waves as separate samples; with the same people in both "
            "it is, if anything, cautious."
        )
    rates = [w.response_rate for w in (comparison.baseline, comparison.follow_up)]
    if any(r is not None and r < 0.2 for r in rates):
        lines.append(
            "Fewer than one household in five answered, so the answers may not represent "
            "the whole area."
        )
    compared = comparison.compared
    changed = [q for q in compared if q.change.significant]
    if not compared:
        lines.append("There are too few answers to compare the waves yet.")
    elif not changed:
        if len(compared) == 1:
            lines.append("The question compared shows no change that this sample could detect.")
        else:
            lines.append(
                f"None of the {len(compared)} questions compared shows a change that this "
                "sample could detect."
            )
    else:
        names = "; ".join(
            f"‘{q.question.text}’ ({points_text(q.change.difference)})" for q in changed
        )
        lines.append(
            f"{len(changed)} of {plural(len(compared), 'question')} compared "
            f"{'shows' if len(changed) == 1 else 'show'} a change: {names}. A change between "
            "two surveys shows that perceptions differ, not that the operation caused the "
            "difference: other things change too, and the residents who answer differ each "
            "time."
        )
    if comparison.adjusted:
        lines.append(
            f"With {len(compared)} questions compared, each p-value is adjusted for multiple "
            "comparisons by Holm's method and each verdict uses the adjusted value, so a "
            "change is not claimed just because one question in many moved by chance."
        )
    warning = comparison.detectable_warning_points
    # Only where no change was detected does "no change detected" need the warning.
    unchanged = [q for q in compared if not q.change.significant]
    too_small = [q for q in unchanged if 100 * q.change.minimum_detectable > warning]
    if too_small:
        largest = max(q.change.minimum_detectable for q in too_small)
        scope = (
            "The survey was"
            if len(too_small) == len(compared)
            else f"For {len(too_small)} of the {len(unchanged)} questions showing no change "
            "the survey was"
        )
        lines.append(
            f"{scope} too small to detect changes of ordinary size: only a change of more "
            f"than {warning} points (up to about {size_points(largest)} points) would have "
            "been likely to show, so “no change detected” says little."
        )
    if comparison.has_comparison_area:
        lines.append(COMPARISON_AREA_CAVEAT)
    return lines


COMPARISON_AREA_CAVEAT = (
    "The comparison area, surveyed over the same weeks with no operation, shows what "
    "changed anyway. It rules out changes that touched both areas alike, such as the "
    "season, news across the city or the way the survey was run. It cannot rule out "
    "something that happened in only one of the areas, differences in who answered, or "
    "the operation moving problems into or out of the comparison area."
)


@dataclass
class WaveCounts:
    """A wave's figures before suppression: responses, and per question the count of
    each answer and how many answered."""

    responses: int = 0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)
    # Responses by the language they were given in.
    languages: dict[str, int] = field(default_factory=dict)


def _counts_live(waves: list[SurveyWave]) -> dict[int, WaveCounts]:
    """Each wave's stored responses counted now: three aggregate queries however many
    responses. Only the analysts' live view and ``wave_results_publish`` read these."""
    ids = [w.pk for w in waves]
    result = {wave_id: WaveCounts() for wave_id in ids}
    for wave_id, language, n in (
        Response.objects.filter(wave_id__in=ids)
        .values_list("wave_id", "language")
        .annotate(n=Count("id"))
        .order_by()
    ):
        result[wave_id].responses += n
        result[wave_id].languages[language] = n
    for wave_id, key, choice, n in (
        Answer.objects.filter(wave_id__in=ids)
        .exclude(choice="")
        .values_list("wave_id", "question_key", "choice")
        # COUNT(*) lets PostgreSQL answer from the (wave, key, choice) index alone.
        .annotate(n=Count("*"))
        .order_by()
    ):
        result[wave_id].counts.setdefault(key, {})[choice] = n
    for wave_id, key, n in (
        Answer.objects.filter(wave_id__in=ids)
        .values_list("wave_id", "question_key")
        .annotate(n=Count("response_id", distinct=True))
        .order_by()
    ):
        result[wave_id].answered[key] = n
    return result


def wave_counts_live(wave: SurveyWave) -> WaveCounts:
    return _counts_live([wave])[wave.pk]


def _counts_published(waves: list[SurveyWave]) -> dict[int, WaveCounts]:
    """Each wave's latest published results (``WaveResults``), in one query; a wave never
    published counts as empty."""
    ids = [w.pk for w in waves]
    latest = WaveResults.objects.filter(wave=OuterRef("wave")).order_by("-responses")
    result = {wave_id: WaveCounts() for wave_id in ids}
    for published in WaveResults.objects.filter(
        wave_id__in=ids, pk=Subquery(latest.values("pk")[:1])
    ):
        result[published.wave_id] = WaveCounts(
            published.responses, published.counts, published.answered, published.languages
        )
    return result


def published_weighting(waves: list[SurveyWave]) -> dict[int, dict]:
    """Each wave's weighting as kept with its latest published results, by wave id (an
    empty dict where none was kept). One query."""
    latest = WaveResults.objects.filter(wave=OuterRef("wave")).order_by("-responses")
    return dict(
        WaveResults.objects.filter(
            wave_id__in=[w.pk for w in waves], pk=Subquery(latest.values("pk")[:1])
        ).values_list("wave_id", "weighting")
    )


def wave_answers_stored(wave: SurveyWave) -> list[tuple[str, dict[str, list[str] | str]]]:
    """Every stored response of a wave as (its language, the answers it was sent with), in
    no order."""
    languages = dict(Response.objects.filter(wave=wave).values_list("pk", "language"))
    stored: dict[int, dict[str, list[str] | str]] = {pk: {} for pk in languages}
    for response_id, key, choice, text in Answer.objects.filter(wave=wave).values_list(
        "response_id", "question_key", "choice", "text"
    ):
        if choice:
            stored[response_id].setdefault(key, []).append(choice)
        else:
            stored[response_id][key] = text
    return [(languages[pk], answers) for pk, answers in stored.items()]


def comparison_build(
    *,
    baseline: SurveyWave,
    follow_up: SurveyWave,
    comparison_baseline: SurveyWave | None = None,
    comparison_follow_up: SurveyWave | None = None,
    threshold: int | None = None,
    live: bool = False,
) -> Comparison:
    """Everything the comparison screen, charts, exports and summary page show; with a
    comparison area's two waves, the difference in differences too.

    Figures come from each wave's latest published results (``WaveResults``), so they
    move only in steps of at least the threshold; ``live`` reads the stored responses as
    they are now, for the analysts' live view only."""
    if threshold is None:
        threshold = settings.SURVEYS_SUPPRESSION_THRESHOLD
    waves = [baseline, follow_up]
    if comparison_baseline is not None and comparison_follow_up is not None:
        waves += [comparison_baseline, comparison_follow_up]
    questions = comparison_questions(baseline, follow_up)
    figures = (_counts_live if live else _counts_published)(waves)

    rows = []
    for question in questions:
        per_wave = []
        wave_counts = [figures[wave.pk].counts.get(question.key, {}) for wave in waves]
        values = _answer_values(question, *wave_counts)
        for wave, these in zip(waves, wave_counts, strict=True):
            answered = (
                figures[wave.pk].answered.get(question.key, 0)
                if question.multiple
                else sum(these.values())
            )
            per_wave.append(
                wave_answers_publish(
                    question,
                    values,
                    these,
                    answered,
                    threshold,
                    partner_order(wave.pk, question.key, values),
                )
            )
        row = QuestionComparison(question, per_wave[0], per_wave[1], None, "")
        if len(per_wave) == 4:
            row.comparison_baseline, row.comparison_follow_up = per_wave[2:]
        rows.append(row)

    for row in rows:
        _share_among_those_with_a_view(row)

    def both_shown(first, second):
        return first is not None and second is not None and None not in (first.share, second.share)

    paired = [r for r in rows if r.question.has_positive and both_shown(r.baseline, r.follow_up)]
    changes = changes_between(
        [
            (r.baseline.positive, r.baseline.base, r.follow_up.positive, r.follow_up.base)
            for r in paired
        ]
    )
    for row, change in zip(paired, changes, strict=True):
        row.change = change
    for row in rows:
        if not (row.question.has_positive and row.change):
            continue
        if both_shown(row.comparison_baseline, row.comparison_follow_up):
            cb, cf = row.comparison_baseline, row.comparison_follow_up
            [row.comparison_change] = changes_between(
                [(cb.positive, cb.base, cf.positive, cf.base)]
            )
            row.did = difference_in_differences(
                (
                    row.baseline.positive,
                    row.baseline.base,
                    row.follow_up.positive,
                    row.follow_up.base,
                ),
                (cb.positive, cb.base, cf.positive, cf.base),
            )
            row.did_verdict = did_verdict(row)

    def summary_of(wave):
        return WaveSummary(wave, figures[wave.pk].responses, wave.area.household_count, threshold)

    comparison = Comparison(
        live=live,
        baseline=summary_of(baseline),
        follow_up=summary_of(follow_up),
        questions=rows,
        threshold=threshold,
        detectable_warning_points=settings.SURVEYS_DETECTABLE_CHANGE_WARNING_POINTS,
    )
    if len(waves) == 4:
        comparison.comparison_baseline = summary_of(waves[2])
        comparison.comparison_follow_up = summary_of(waves[3])
    for row in rows:
        row.verdict = question_verdict(row, adjusted=comparison.adjusted)
    comparison.summary = _summary(comparison)
    comparison.by_language = _by_language(waves, figures, threshold)
    return comparison


LANGUAGE_KEY = "language"


def _by_language(waves, figures, threshold) -> QuestionComparison | None:
    """The responses of each wave by the language they were answered in, as one more
    breakdown through ``wave_answers_publish``: a language fewer than the threshold
    answered in is hidden with its partner, exactly as a rare answer is. A translation
    asks the source's questions under the source's keys, so every other figure already
    counts every language together."""
    per_wave = [figures[wave.pk].languages for wave in waves]
    if not any(set(counts) - {settings.LANGUAGE_CODE} for counts in per_wave):
        return None
    question = Question(
        key=LANGUAGE_KEY,
        kind="single_choice",
        text="Language the survey was answered in",
        help_text="",
        required=False,
        options=tuple((lang.code, lang.english_name) for lang in languages()),
    )
    values = _answer_values(question, *per_wave)
    answers = [
        wave_answers_publish(
            question,
            values,
            counts,
            sum(counts.values()),
            threshold,
            partner_order(wave.pk, LANGUAGE_KEY, values),
        )
        for wave, counts in zip(waves, per_wave, strict=True)
    ]
    row = QuestionComparison(question, answers[0], answers[1], None, "")
    if len(answers) == 4:
        row.comparison_baseline, row.comparison_follow_up = answers[2:]
    return row


def raw_responses_header(questions: list[Question]) -> list[str]:
    """Each choice question's stored keys, with their wording in the next column."""
    header = ["wave", "language"]
    for q in questions:
        header.append(q.key)
        if q.is_choice:
            header.append(f"{q.key} (wording)")
    return header


def raw_responses(waves: list[SurveyWave], questions: list[Question]):
    """Anonymous raw responses, one row per response, streamed in the order of their
    random ``shuffle_key``: no date, no id, and an order that says nothing about when
    anyone answered.

    Rows come ordered from the database and are grouped as they stream, so memory stays
    bounded by one response.
    """
    wave_labels = {w.pk: f"{w.get_kind_display()}: {w.area.name}" for w in waves}
    current = None
    row: dict[str, list[str]] = {}
    answers = (
        Answer.objects.filter(wave__in=waves)
        .order_by("response__shuffle_key", "response_id", "question_key", "choice")
        .values_list(
            "response_id", "wave_id", "response__language", "question_key", "choice", "text"
        )
        .iterator(chunk_size=5000)
    )
    # Each column's wording looked up once, not once a cell.
    columns = [(q.key, dict(q.options) if q.is_choice else None) for q in questions]
    for response_id, wave_id, language, key, choice, text in answers:
        if current is None or current[0] != response_id:
            if current is not None:
                yield _raw_row(current, row, columns)
            current = (response_id, wave_labels[wave_id], language)
            row = {}
        row.setdefault(key, []).append(text or choice)
    if current is not None:
        yield _raw_row(current, row, columns)


def _raw_row(current, row, columns):
    # The response's own id is replaced by nothing identifying: the export numbers rows.
    _, wave_label, language = current
    cells = [wave_label, language]
    for key, wording in columns:
        chosen = row.get(key, ())
        cells.append("; ".join(chosen))
        if wording is not None:
            cells.append("; ".join(wording.get(v, v) for v in chosen))
    return cells


AGGREGATE_HEADER = [
    "question_key",
    "question",
    "row",
    "answer_key",
    "answer",
    "baseline_count",
    "baseline_percent",
    "baseline_base",
    "follow_up_count",
    "follow_up_percent",
    "follow_up_base",
    "change_points",
    "ci_low_points",
    "ci_high_points",
    "confidence",
    "p_value",
    "p_value_holm_adjusted",
    "minimum_detectable_points",
]
SUPPRESSED = "suppressed"


def _r(value, places=1):
    return round(value, places) if value is not None else SUPPRESSED


def _share_cell(answers: WaveAnswers):
    """The share as the page writes it, as a number."""
    if answers.share is None:
        return SUPPRESSED
    return float(percent_of(answers.positive, answers.base, 1))


def _percent_cell(cell: Cell, answers: WaveAnswers):
    """A cell's percentage to one place, by the page's rounding."""
    if cell.count is None:
        return SUPPRESSED
    return float(percent_of(cell.count, answers.answered, 1))


def _points_cell(value: float) -> float:
    """The change as the page prints it, as a number a spreadsheet can use."""
    return float(points_number(value).replace("−", "-"))


def _answered_cell(answers: WaveAnswers, fewer: str):
    if answers.withheld:
        return "withheld"
    return answers.answered if answers.answered is not None else fewer


def comparison_table_rows(comparison: Comparison):
    """The aggregate table as exported: the page's figures, suppressed cells saying so,
    never a number the page hides. Counts are counts of people; percentages are of
    those who answered (or, for responses, of the area's households)."""
    fewer = f"fewer than {comparison.threshold}"
    waves = [("", comparison.baseline, comparison.follow_up)]
    if comparison.has_comparison_area:
        waves.append(
            ("comparison area: ", comparison.comparison_baseline, comparison.comparison_follow_up)
        )
    blank_stats = [""] * 7
    for prefix, b, f in waves:
        yield [
            "",
            f"{prefix}Responses",
            "responses",
            "",
            "",
            b.responses if b.responses_shown else fewer,
            _r(100 * b.response_rate, 2) if b.response_rate is not None else "",
            b.households,
            f.responses if f.responses_shown else fewer,
            _r(100 * f.response_rate, 2) if f.response_rate is not None else "",
            f.households,
        ] + blank_stats
    breakdowns = comparison.questions + [comparison.by_language] * bool(comparison.by_language)
    for q in breakdowns:
        sets = [("", q.baseline, q.follow_up)]
        if q.comparison_baseline is not None:
            sets.append(("comparison area: ", q.comparison_baseline, q.comparison_follow_up))
        for prefix, base, follow in sets:
            for bc, fc in zip(base.cells, follow.cells, strict=True):
                yield [
                    q.question.key,
                    q.question.text,
                    f"{prefix}answer",
                    bc.value,
                    bc.label,
                    _r(bc.count, 0),
                    _percent_cell(bc, base),
                    "",
                    _r(fc.count, 0),
                    _percent_cell(fc, follow),
                    "",
                ] + blank_stats
            yield [
                q.question.key,
                q.question.text,
                f"{prefix}answered",
                "",
                "",
                _answered_cell(base, fewer),
                "",
                "",
                _answered_cell(follow, fewer),
                "",
                "",
            ] + blank_stats
        if q.question.has_positive:
            c = q.change
            stats = (
                [
                    _points_cell(c.difference),
                    _points_cell(c.lower),
                    _points_cell(c.upper),
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
                "positive share",
                ",".join(sorted(q.question.positive)),
                q.positive_labels,
                _r(q.baseline.positive, 0),
                _share_cell(q.baseline),
                _r(q.baseline.base, 0),
                _r(q.follow_up.positive, 0),
                _share_cell(q.follow_up),
                _r(q.follow_up.base, 0),
            ] + stats
        if q.did is not None:
            d = q.did
            yield (
                [
                    q.question.key,
                    q.question.text,
                    "difference in differences",
                    "",
                    "operation area's change minus the comparison area's",
                ]
                + [""] * 6
                + [
                    _points_cell(d.difference),
                    _points_cell(d.lower),
                    _points_cell(d.upper),
                    "95%",
                    "",
                    "",
                    "",
                ]
            )


def comparison_snapshot(comparison: Comparison) -> list[dict]:
    """What a published "you said, we did" page keeps: suppressed figures only."""
    return [
        {
            "key": q.question.key,
            "question": q.question.text,
            "positive": q.positive_labels,
            "baseline": int(percent_of(q.baseline.positive, q.baseline.base))
            if q.baseline.share is not None
            else None,
            "follow_up": int(percent_of(q.follow_up.positive, q.follow_up.base))
            if q.follow_up.share is not None
            else None,
            "verdict": q.verdict,
            "did_verdict": q.did_verdict,
        }
        for q in comparison.with_share
    ]


# --- Figures for progress reports and the dashboard -------------------------------------


def comparison_area_waves(follow_up: SurveyWave):
    """The comparison area's two waves for a follow-up, as an analyst would choose them
    (``forms.comparison_area_errors``): the same survey in another area marked as a
    comparison area, its follow-up open over some of the same days (the latest such),
    and its latest baseline opened before that. (None, None) when there is none. Two
    queries."""
    comparison_follow_up = (
        SurveyWave.objects.filter(
            kind=SurveyWave.FOLLOW_UP,
            survey_id=follow_up.survey_id,
            area__is_comparison_area=True,
            opens_on__lte=follow_up.closes_on,
            closes_on__gte=follow_up.opens_on,
        )
        .exclude(area_id=follow_up.area_id)
        .select_related("survey", "area")
        .order_by("-opens_on", "-pk")
        .first()
    )
    if comparison_follow_up is None:
        return None, None
    comparison_baseline = (
        SurveyWave.objects.filter(
            kind=SurveyWave.BASELINE,
            survey_id=follow_up.survey_id,
            area_id=comparison_follow_up.area_id,
            opens_on__lte=comparison_follow_up.opens_on,
        )
        .select_related("survey", "area")
        .order_by("-opens_on", "-pk")
        .first()
    )
    if comparison_baseline is None:
        return None, None
    return comparison_baseline, comparison_follow_up


def _comparison_area_figures(comparison: Comparison) -> dict:
    """A report's difference in differences: per question, the change in the operation
    area, the change in the comparison area, and the one minus the other with its 95%
    interval, each None where a share is suppressed (``comparison_build`` computes a
    difference only from shares it shows). Empty without a comparison area."""
    if not comparison.has_comparison_area:
        return {}
    b, f = comparison.comparison_baseline, comparison.comparison_follow_up
    rows = []
    for q in comparison.with_share:
        d = q.did
        rows.append(
            {
                "question": q.question.text,
                "change": points_text(q.change.difference) if q.change else None,
                "comparison_change": (
                    points_text(q.comparison_change.difference) if q.comparison_change else None
                ),
                "did": points_text(d.difference) if d else None,
                "did_lower": points_text(d.lower) if d else None,
                "did_upper": points_text(d.upper) if d else None,
                "verdict": q.did_verdict,
            }
        )
    return {
        "comparison_area": b.wave.area.name,
        "comparison_baseline": str(b.wave),
        "comparison_follow_up": str(f.wave),
        "comparison_baseline_responses": b.responses if b.responses_shown else None,
        "comparison_follow_up_responses": f.responses if f.responses_shown else None,
        "did": rows,
    }


COMPARISONS_SHOWN = 3


def response_count_shown(count: int) -> int | None:
    """A wave's response count as a report may print it: fewer than the survey threshold
    is None ("fewer than 10"), as on the comparison page."""
    return count if count >= settings.SURVEYS_SUPPRESSION_THRESHOLD else None


def published_responses(on_or_before=None, before=None):
    """A subquery: the wave's responses in its latest results published on or before a
    day (or before a day), 0 when none."""
    results = WaveResults.objects.filter(wave=OuterRef("pk")).order_by("-responses")
    if on_or_before is not None:
        results = results.filter(taken_on__lte=on_or_before)
    if before is not None:
        results = results.filter(taken_on__lt=before)
    return Coalesce(Subquery(results.values("responses")[:1]), 0)


def survey_waves_open(today: datetime.date):
    """Waves open today with their published response counts, for the dashboard. One
    query."""
    return (
        SurveyWave.objects.open_on(today)
        .select_related("survey", "area")
        .annotate(responses_total=published_responses())
        .order_by("closes_on", "pk")
    )


def survey_section(*, start: datetime.date, end: datetime.date, today: datetime.date) -> dict:
    """Survey waves open at any time from ``start`` to ``end`` (inclusive), with the
    responses published in that span and in all by its end, and the comparisons of the
    follow-ups among them. Responses carry no date: the span's figure is the difference
    of two publications, so it moves in the same steps as they do. One query, and those
    of ``survey_comparisons``."""
    waves = (
        SurveyWave.objects.filter(opens_on__lte=end, closes_on__gte=start)
        .select_related("survey", "area")
        .annotate(
            responses_total=published_responses(on_or_before=end),
            responses_before=published_responses(before=start),
        )
        .annotate(responses_in_period=F("responses_total") - F("responses_before"))
        .order_by("opens_on", "pk")
    )
    waves = list(waves)
    rows = [
        {
            "wave_id": wave.pk,
            "survey": wave.survey.title,
            "area": wave.area.name,
            "kind": wave.get_kind_display(),
            "opens_on": wave.opens_on.isoformat(),
            "closes_on": wave.closes_on.isoformat(),
            "open_now": wave.is_open(today),
            "responses_in_period": response_count_shown(wave.responses_in_period),
            "responses_total": response_count_shown(wave.responses_total),
        }
        for wave in waves
    ]
    return {
        "waves": rows,
        "comparisons": survey_comparisons(start=start, end=end),
        "open_now": sum(1 for r in rows if r["open_now"]),
        "responses_in_period": response_count_shown(
            sum(wave.responses_in_period for wave in waves)
        ),
    }


def survey_comparisons(
    *, start: datetime.date, end: datetime.date, limit: int = COMPARISONS_SHOWN
) -> list[dict]:
    """The comparison (statistics, suppression, plain-English caveats and chart) for each
    follow-up wave open from ``start`` to ``end``, against the latest baseline for the
    same survey and area, as a report stores it, with the weighted figures beside the
    unweighted ones. At most ``limit`` comparisons, so a bounded number of queries: two
    here, three per comparison in ``comparison_build`` and at most two in
    ``weighted_comparison_build``."""
    latest_baseline = (
        SurveyWave.objects.filter(
            kind=SurveyWave.BASELINE,
            survey=OuterRef("survey"),
            area=OuterRef("area"),
            opens_on__lte=OuterRef("opens_on"),
        )
        .order_by("-opens_on", "-pk")
        .values("pk")[:1]
    )
    follow_ups = list(
        SurveyWave.objects.filter(
            kind=SurveyWave.FOLLOW_UP, opens_on__lte=end, closes_on__gte=start
        )
        .annotate(baseline_id=Subquery(latest_baseline))
        .filter(baseline_id__isnull=False)
        .select_related("survey", "area")
        .order_by("-closes_on", "-pk")[:limit]
    )
    if not follow_ups:
        return []
    # The weighted figures build on this module's comparisons: imported here, not at the
    # top, to avoid a cycle.
    from .weighted.selectors import weighted_comparison_build
    from .weighted.tables import weighted_snapshot_add

    baselines = SurveyWave.objects.select_related("survey", "area").in_bulk(
        [f.baseline_id for f in follow_ups]
    )
    comparisons = []
    for follow_up in follow_ups:
        baseline = baselines[follow_up.baseline_id]
        comparison_baseline, comparison_follow_up = comparison_area_waves(follow_up)
        comparison = comparison_build(
            baseline=baseline,
            follow_up=follow_up,
            comparison_baseline=comparison_baseline,
            comparison_follow_up=comparison_follow_up,
        )
        weighted = weighted_comparison_build(comparison)
        comparisons.append(
            {
                **_comparison_area_figures(comparison),
                "baseline": str(baseline),
                "follow_up": str(follow_up),
                "area": follow_up.area.name,
                # Fewer responses than the threshold are not printed (None), as on the
                # comparison page.
                "baseline_responses": comparison.baseline.responses
                if comparison.baseline.responses_shown
                else None,
                "follow_up_responses": comparison.follow_up.responses
                if comparison.follow_up.responses_shown
                else None,
                "threshold": comparison.threshold,
                "summary": list(comparison.summary),
                "questions": weighted_snapshot_add(comparison_snapshot(comparison), weighted),
                "headline": weighted.headline,
                "headline_reason": weighted.headline_reason,
                "chart": str(change_chart(comparison.questions)),
            }
        )
    return comparisons
