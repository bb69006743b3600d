"""The weighted figures as the aggregate export, "you said, we did" and progress reports
write them: beside the unweighted ones, labelled, suppressed where they are."""

from ..formatting import confidence_text, p_value_number, points_number, size_points
from ..selectors import SUPPRESSED
from .selectors import WeightedComparison, WeightedFigure


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
                if not w.figures.margins or w.respondents < threshold:
                    return "not weighted" if not w.figures.margins else SUPPRESSED
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


def weighted_snapshot_add(snapshot: list[dict], weighted: WeightedComparison) -> list[dict]:
    """A "you said, we did" snapshot (``comparison_snapshot``) with each question's
    weighted shares and verdict beside the unweighted ones, and which are the headline.
    Shares as whole percentages, None where withheld."""
    by_key = {q.question.key: q for q in weighted.questions}

    def percent(figure):
        return round(100 * figure.share) if figure else None

    rows = []
    for row in snapshot:
        q = by_key.get(row["key"])
        rows.append(
            {
                **row,
                "headline": weighted.headline,
                "weighted_baseline": percent(q.baseline) if q else None,
                "weighted_follow_up": percent(q.follow_up) if q else None,
                "weighted_verdict": q.verdict if q and q.change else "",
            }
        )
    return rows
