"""Charts drawn as SVG on the server: no script, no third-party library, readable without
colour (each bar is labelled with its figure), and always followed by a table of the same
figures for anyone who cannot see them."""

import math
from itertools import count

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .formatting import points_number

BASELINE_COLOUR = "#6f6f6f"
FOLLOW_UP_COLOUR = "#0b3c5d"
TEXT_COLOUR = "#1b1b1b"
WIDTH = 640
LABEL_WIDTH = 230
BAR_AREA = 330
_ids = count(1)


def _text(x, y, content, *, anchor="start", weight="normal", size=13):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{TEXT_COLOUR}">{escape(content)}</text>'
    )


def _wrap(label: str, width: int = 32) -> list[str]:
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines[:2] if len(lines) <= 2 else [lines[0], lines[1].rstrip(".,") + "…"]


def _svg(title: str, description: str, height: float, body: list[str]) -> str:
    uid = next(_ids)
    return mark_safe(  # noqa: S308 (every text node above is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="chart-title-{uid} chart-desc-{uid}" '
        f'font-family="system-ui, sans-serif" class="survey-chart">'
        f'<title id="chart-title-{uid}">{escape(title)}</title>'
        f'<desc id="chart-desc-{uid}">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _legend(y: float) -> list[str]:
    return [
        f'<rect x="{LABEL_WIDTH}" y="{y - 10}" width="12" height="12" fill="{BASELINE_COLOUR}"/>',
        _text(LABEL_WIDTH + 18, y, "Baseline"),
        f'<rect x="{LABEL_WIDTH + 110}" y="{y - 10}" width="12" height="12" fill="{FOLLOW_UP_COLOUR}"/>',
        _text(LABEL_WIDTH + 128, y, "Follow-up"),
    ]


def distribution_chart(row) -> str:
    """Each answer's share of those who answered, baseline bar above follow-up bar."""
    bar, gap, top = 16, 14, 30
    body = _legend(16)
    y = top
    for base_cell, follow_cell in zip(row.baseline.cells, row.follow_up.cells, strict=True):
        lines = _wrap(base_cell.label)
        for i, line in enumerate(lines):
            body.append(_text(0, y + 12 + i * 15, line))
        for offset, cell, colour in (
            (0, base_cell, BASELINE_COLOUR),
            (bar + 2, follow_cell, FOLLOW_UP_COLOUR),
        ):
            yy = y + offset
            if cell.percent is None:
                body.append(
                    _text(LABEL_WIDTH, yy + 12, "suppressed (fewer than the threshold)", size=12)
                )
                continue
            w = BAR_AREA * cell.percent / 100
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{yy}" width="{w:.1f}" height="{bar}" fill="{colour}"/>'
            )
            body.append(_text(LABEL_WIDTH + w + 4, yy + 12, f"{cell.percent:.0f}%", size=12))
        y += 2 * bar + gap
    return _svg(
        f"Answers to: {row.question.text}",
        "Percentage of those answering who gave each answer, baseline and follow-up. "
        "The table after the chart gives the same figures.",
        y + 4,
        body,
    )


def change_chart(rows) -> str:
    """Change in each question's positive share, follow-up minus baseline, with its 95%
    confidence interval as whiskers around a zero line."""
    rows = [r for r in rows if r.question.has_positive]
    bounds = [abs(v) for r in rows if r.change for v in (r.change.lower, r.change.upper)]
    # The chart draws the intervals the table and the verdicts give (after any Holm
    # adjustment), so the whiskers cross zero exactly when the verdict says no change.
    limit = max(10, math.ceil(100 * max(bounds, default=0.1) / 10) * 10)
    limit = min(limit, 100)

    def x(points):
        return LABEL_WIDTH + BAR_AREA * (points + limit) / (2 * limit)

    height_row, top = 40, 34
    height = top + height_row * len(rows) + 30
    body = [
        f'<line x1="{x(0):.1f}" y1="{top - 8}" x2="{x(0):.1f}" y2="{height - 26}" stroke="{TEXT_COLOUR}" stroke-width="1"/>',
        _text(x(-limit), 16, f"−{limit} points", size=12),
        _text(x(0), 16, "no change", anchor="middle", size=12),
        _text(x(limit), 16, f"+{limit} points", anchor="end", size=12),
    ]
    y = top
    for r in rows:
        for i, line in enumerate(_wrap(r.question.text)):
            body.append(_text(0, y + 10 + i * 15, line, size=12))
        mid = y + 10
        if r.change is None:
            body.append(_text(x(0) + 6, mid + 4, "too few answers to compare", size=12))
        else:
            c = r.change
            lo, hi, d = 100 * c.lower, 100 * c.upper, 100 * c.difference
            body += [
                f'<line x1="{x(lo):.1f}" y1="{mid}" x2="{x(hi):.1f}" y2="{mid}" stroke="{FOLLOW_UP_COLOUR}" stroke-width="2"/>',
                f'<line x1="{x(lo):.1f}" y1="{mid - 6}" x2="{x(lo):.1f}" y2="{mid + 6}" stroke="{FOLLOW_UP_COLOUR}" stroke-width="2"/>',
                f'<line x1="{x(hi):.1f}" y1="{mid - 6}" x2="{x(hi):.1f}" y2="{mid + 6}" stroke="{FOLLOW_UP_COLOUR}" stroke-width="2"/>',
                f'<circle cx="{x(d):.1f}" cy="{mid}" r="5" fill="{FOLLOW_UP_COLOUR}"/>',
                _text(x(d), mid + 20, points_number(c.difference), anchor="middle", size=12),
            ]
        y += height_row
    return _svg(
        "Change in the share giving a positive answer, with confidence intervals",
        "For each question, the follow-up share minus the baseline share in percentage "
        "points; the whiskers show the confidence interval given in the table (95%, or wider "
        "when several questions are compared). An interval crossing the "
        "no-change line means no change was detectable. The table gives the same figures.",
        height,
        body,
    )
