"""The comparison's charts: its figures, already suppressed, handed to the project's
one chart module (``signpost.charts``) as labels and numbers. Each chart is followed by
a table of the same figures for anyone who cannot see it."""

from signpost import charts

from .formatting import points_number

SUPPRESSED = "suppressed (fewer than the threshold)"


def distribution_chart(row) -> str:
    """Each answer's share of those who answered, baseline bar above follow-up bar."""
    return charts.distribution_chart(
        [
            (base_cell.label, base_cell.percent, follow_cell.percent)
            for base_cell, follow_cell in zip(row.baseline.cells, row.follow_up.cells, strict=True)
        ],
        title=f"Answers to: {row.question.text}",
        description="Percentage of those answering who gave each answer, baseline and "
        "follow-up. The table after the chart gives the same figures.",
        missing=SUPPRESSED,
    )


def change_chart(rows) -> str:
    """Change in each question's positive share, follow-up minus baseline, in percentage
    points, with its confidence interval as whiskers around a zero line. The chart draws
    the intervals the table and the verdicts give (after any Holm adjustment), so the
    whiskers cross zero exactly when the verdict says no change."""
    return charts.change_chart(
        [
            (
                r.question.text,
                None
                if r.change is None
                else charts.Interval(
                    difference=100 * r.change.difference,
                    lower=100 * r.change.lower,
                    upper=100 * r.change.upper,
                    label=points_number(r.change.difference),
                ),
            )
            for r in rows
            if r.question.has_positive
        ],
        title="Change in the share giving a positive answer, with confidence intervals",
        description="For each question, the follow-up share minus the baseline share in "
        "percentage points; the whiskers show the confidence interval given in the table "
        "(95%, or wider when several questions are compared). An interval crossing the "
        "no-change line means no change was detectable. The table gives the same figures.",
        missing="too few answers to compare",
    )
