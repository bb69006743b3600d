"""Every chart Signpost draws, in one palette: SVG built on the server, so a chart shows
the same in the browser, in the admin and in a printed PDF, with no script and no
third-party library. Each chart carries a title and a text description for screen
readers, labels every bar with its figure (it reads without colour), and the templates
put a table of the same figures beside it.

Charts take plain labels and numbers; the apps turn their own figures into those (the
survey comparison in ``surveys/charts.py``), so this package imports no app.
"""

import math
from itertools import count
from typing import NamedTuple

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# --- The palette -------------------------------------------------------------------------
# Every colour passes WCAG 2.2 AA on white: 4.5:1 for text (1.4.3), 3:1 for bars, points
# and lines (1.4.11). The ratio against white is given beside each one.

INK = "#1b1b1b"  # text and axes, 17.2:1
MUTED = "#5c5c5c"  # axis titles and "nothing to show", 6.7:1
BAR_COLOUR = "#005a9c"  # a chart of one series, 7.1:1
# Charts of several series, in this order: baseline and follow-up, planned and delivered.
SERIES_COLOURS = ["#6f6f6f", "#0b3c5d", "#2e7d32", "#7b1fa2"]  # 5.0, 11.6, 5.1, 8.2:1
BASELINE_COLOUR, FOLLOW_UP_COLOUR = SERIES_COLOURS[0], SERIES_COLOURS[1]

# The quadrants of the interest/influence grid (the guide's Figure 2), keyed by
# ``Quadrant`` value: a pale fill for a quadrant's region, under black text (13:1 or
# more), and a dark one for its points and outlines (7:1 or more).
QUADRANT_FILL = {
    "involve": "#d4ebd0",
    "consult": "#fbefc5",
    "inform": "#d6e4f5",
    "watch": "#ececec",
}
POINT_FILL = {
    "involve": "#1b5e20",
    "consult": "#7a4f00",
    "inform": "#0d47a1",
    "watch": "#424242",
}

# Report charts print in a PDF, where Helvetica is always there; the survey comparison
# is a screen first.
REPORT_FONT = "Helvetica,Arial,sans-serif"
COMPARISON_FONT = "system-ui, sans-serif"

_ids = count(1)


# --- Building blocks ---------------------------------------------------------------------


def svg(
    *,
    width: int,
    height: float,
    title: str,
    description: str,
    body: list[str],
    css_class: str = "report-chart",
    font: str = REPORT_FONT,
    fluid: bool = False,
) -> SafeString:
    """The chart's ``<svg>`` with its title and description. A fixed chart (a report's)
    is drawn at its size and shrinks to fit; a fluid one takes its width from the page's
    CSS and names its title and description by id."""
    if fluid:
        uid = next(_ids)
        return mark_safe(  # noqa: S308 (every text node of the body is escaped)
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
            f'role="img" aria-labelledby="chart-title-{uid} chart-desc-{uid}" '
            f'font-family="{font}" class="{css_class}">'
            f'<title id="chart-title-{uid}">{escape(title)}</title>'
            f'<desc id="chart-desc-{uid}">{escape(description)}</desc>' + "".join(body) + "</svg>"
        )
    return mark_safe(  # noqa: S308 (every text node of the body is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width:100%;height:auto" font-family="{font}">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        + "".join(body)
        + "</svg>"
    )


def text(
    x: float,
    y: float,
    content: str,
    *,
    anchor: str = "start",
    weight: str = "normal",
    size: int = 13,
    fill: str = INK,
    transform: str = "",
) -> str:
    """One escaped line of text."""
    rotated = f' transform="{transform}"' if transform else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}"{rotated}>{escape(content)}</text>'
    )


def rect(x: float, y: float, width: float, height: float, fill: str, stroke: str = "") -> str:
    outline = f' stroke="{stroke}"' if stroke else ""
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"{outline}/>'


def scale_max(values: list[int]) -> int:
    """The figure a full-length bar stands for: the largest, and never zero."""
    return max([*values, 1])


def wrap(label: str, width: int = 32) -> list[str]:
    """A label on at most two lines of ``width`` characters, the second cut short."""
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines[:2] if len(lines) <= 2 else [lines[0], lines[1].rstrip(".,") + "…"]


# --- Report charts -----------------------------------------------------------------------


def bar_chart(rows: list[tuple[str, int]], *, title: str, width: int = 560) -> SafeString:
    """Horizontal bars, one per row of (label, value)."""
    label_width, bar_height, gap = 170, 22, 10
    height = max(len(rows), 1) * (bar_height + gap) + gap
    top = scale_max([v for _, v in rows])
    usable = width - label_width - 60
    body = []
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        length = round(usable * value / top)
        body += [
            text(label_width - 8, y + 16, label, anchor="end"),
            rect(label_width, y, length, bar_height, BAR_COLOUR),
            text(label_width + length + 6, y + 16, f"{value:,}"),
        ]
    if not rows:
        body.append(text(10, 24, "Nothing to show.", fill=MUTED))
    description = "; ".join(f"{label}: {value:,}" for label, value in rows) or "No data."
    return svg(width=width, height=height, title=title, description=description, body=body)


def grouped_bar_chart(
    categories: list[str], series: list[tuple[str, list[int]]], *, title: str, width: int = 560
) -> SafeString:
    """Horizontal bars grouped per category, one bar per series (e.g. planned and
    delivered), with a legend."""
    label_width, bar_height, inner_gap, group_gap = 170, 14, 2, 12
    group_height = len(series) * (bar_height + inner_gap)
    legend_height = 26
    height = legend_height + max(len(categories), 1) * (group_height + group_gap) + group_gap
    top = scale_max([v for _, values in series for v in values])
    usable = width - label_width - 60
    body = []
    x = label_width
    for s, (name, _values) in enumerate(series):
        body += [rect(x, 6, 12, 12, SERIES_COLOURS[s]), text(x + 18, 17, name, size=12)]
        x += 30 + 8 * len(name)
    for c, category in enumerate(categories):
        y0 = legend_height + group_gap + c * (group_height + group_gap)
        body.append(text(label_width - 8, y0 + group_height / 2 + 4, category, anchor="end"))
        for s, (_name, values) in enumerate(series):
            value = values[c]
            y = y0 + s * (bar_height + inner_gap)
            length = round(usable * value / top)
            body += [
                rect(label_width, y, length, bar_height, SERIES_COLOURS[s]),
                text(label_width + length + 5, y + 11, f"{value:,}", size=11),
            ]
    description = "; ".join(
        f"{category}: " + ", ".join(f"{name} {values[c]:,}" for name, values in series)
        for c, category in enumerate(categories)
    )
    return svg(
        width=width, height=height, title=title, description=description or "No data.", body=body
    )


def quadrant_chart(quadrants: list[dict], *, title: str, size: int = 320) -> SafeString:
    """The interest/influence grid (the guide's Figure 2) with the count in each
    quadrant, in the grid's own colours so a report reads like the grid.

    ``quadrants`` are dicts with ``key`` (a ``Quadrant`` value), ``label`` and ``count``.
    """
    by_key = {q["key"]: q for q in quadrants}
    margin = 34
    cell = (size - margin) // 2
    # (key, column, row): high interest on top, high influence on the right.
    layout = [("consult", 0, 0), ("involve", 1, 0), ("watch", 0, 1), ("inform", 1, 1)]
    body = []
    for key, col, row in layout:
        q = by_key.get(key, {"label": key.title(), "count": 0})
        x, y = margin + col * cell, row * cell
        middle = x + cell / 2 - 2
        body += [
            rect(x, y, cell - 4, cell - 4, QUADRANT_FILL[key], stroke=POINT_FILL[key]),
            text(
                middle,
                y + cell / 2 - 10,
                f"{q['count']:,}",
                anchor="middle",
                weight="bold",
                size=30,
            ),
            text(middle, y + cell / 2 + 16, q["label"], anchor="middle", size=14),
        ]
    body += [
        text(
            margin + cell, size - 6, "Influence: low → high", anchor="middle", size=12, fill=MUTED
        ),
        text(
            14,
            cell,
            "Interest: low → high",
            anchor="middle",
            size=12,
            fill=MUTED,
            transform=f"rotate(-90 14 {cell})",
        ),
    ]
    description = "; ".join(f"{q['label']}: {q['count']:,}" for q in quadrants)
    return svg(width=size, height=size, title=title, description=description, body=body)


# --- Before-and-after charts (the survey comparison) -------------------------------------

COMPARISON_WIDTH = 640
LABEL_WIDTH = 230
BAR_AREA = 330


def _comparison_svg(*, title: str, description: str, height: float, body: list[str]):
    return svg(
        width=COMPARISON_WIDTH,
        height=height,
        title=title,
        description=description,
        body=body,
        css_class="survey-chart",
        font=COMPARISON_FONT,
        fluid=True,
    )


def _legend(y: float, names: tuple[str, str]) -> list[str]:
    before, after = names
    return [
        rect(LABEL_WIDTH, y - 10, 12, 12, BASELINE_COLOUR),
        text(LABEL_WIDTH + 18, y, before),
        rect(LABEL_WIDTH + 110, y - 10, 12, 12, FOLLOW_UP_COLOUR),
        text(LABEL_WIDTH + 128, y, after),
    ]


def distribution_chart(
    rows: list[tuple[str, float | None, float | None]],
    *,
    title: str,
    description: str,
    missing: str,
    series: tuple[str, str] = ("Baseline", "Follow-up"),
) -> SafeString:
    """Each answer's share of those who answered, the baseline's bar above the
    follow-up's. ``rows`` are (answer, baseline percent, follow-up percent); a percent of
    None is not drawn, and ``missing`` says why in its place."""
    bar, gap, top = 16, 14, 30
    body = _legend(16, series)
    y = top
    for label, *percents in rows:
        for i, line in enumerate(wrap(label)):
            body.append(text(0, y + 12 + i * 15, line))
        for offset, percent, colour in (
            (0, percents[0], BASELINE_COLOUR),
            (bar + 2, percents[1], FOLLOW_UP_COLOUR),
        ):
            yy = y + offset
            if percent is None:
                body.append(text(LABEL_WIDTH, yy + 12, missing, size=12))
                continue
            w = BAR_AREA * percent / 100
            body.append(
                f'<rect x="{LABEL_WIDTH}" y="{yy}" width="{w:.1f}" height="{bar}" fill="{colour}"/>'
            )
            body.append(text(LABEL_WIDTH + w + 4, yy + 12, f"{percent:.0f}%", size=12))
        y += 2 * bar + gap
    return _comparison_svg(title=title, description=description, height=y + 4, body=body)


class Interval(NamedTuple):
    """A change and its confidence interval, in the chart's unit, and the change as the
    chart labels it."""

    difference: float
    lower: float
    upper: float
    label: str


def change_chart(
    rows: list[tuple[str, Interval | None]],
    *,
    title: str,
    description: str,
    missing: str,
    unit: str = "points",
) -> SafeString:
    """Each row's change as a dot with its interval as whiskers, around a zero line, on a
    scale of whole tens of ``unit`` that holds every interval. A row without a change
    says ``missing`` instead."""
    bounds = [abs(v) for _, c in rows if c for v in (c.lower, c.upper)]
    limit = max(10, math.ceil(max(bounds, default=10.0) / 10) * 10)
    limit = min(limit, 100)

    def x(value):
        return LABEL_WIDTH + BAR_AREA * (value + limit) / (2 * limit)

    height_row, top = 40, 34
    height = top + height_row * len(rows) + 30
    body = [
        f'<line x1="{x(0):.1f}" y1="{top - 8}" x2="{x(0):.1f}" y2="{height - 26}" stroke="{INK}" stroke-width="1"/>',
        text(x(-limit), 16, f"−{limit} {unit}", size=12),
        text(x(0), 16, "no change", anchor="middle", size=12),
        text(x(limit), 16, f"+{limit} {unit}", anchor="end", size=12),
    ]
    y = top
    for label, change in rows:
        for i, line in enumerate(wrap(label)):
            body.append(text(0, y + 10 + i * 15, line, size=12))
        mid = y + 10
        if change is None:
            body.append(text(x(0) + 6, mid + 4, missing, size=12))
        else:
            d, lo, hi, shown = change
            line = f'stroke="{FOLLOW_UP_COLOUR}" stroke-width="2"'
            body += [
                f'<line x1="{x(lo):.1f}" y1="{mid}" x2="{x(hi):.1f}" y2="{mid}" {line}/>',
                f'<line x1="{x(lo):.1f}" y1="{mid - 6}" x2="{x(lo):.1f}" y2="{mid + 6}" {line}/>',
                f'<line x1="{x(hi):.1f}" y1="{mid - 6}" x2="{x(hi):.1f}" y2="{mid + 6}" {line}/>',
                f'<circle cx="{x(d):.1f}" cy="{mid}" r="5" fill="{FOLLOW_UP_COLOUR}"/>',
                text(x(d), mid + 20, shown, anchor="middle", size=12),
            ]
        y += height_row
    return _comparison_svg(title=title, description=description, height=height, body=body)


# --- Monthly series (the crime evaluation) -----------------------------------------------

# Each series is told apart by its dash as well as its colour, so the chart reads
# without colour; the legend draws both.
SERIES_DASHES = ["", "8 4", "2 3", "12 3 2 3"]


def line_chart(
    months: list[str],
    series: list[tuple[str, list[int]]],
    *,
    title: str,
    markers: list[tuple[int, str]] = (),
    shaded: tuple[int, int] | None = None,
    width: int = 720,
) -> SafeString:
    """Monthly counts as lines, one per series, on a scale from zero; ``markers`` are
    (index of the month, label) drawn as labelled vertical lines (an operation's phases),
    ``shaded`` a span of months (first, last index) drawn as a pale band."""
    left, right, top, bottom = 48, 16, 44, 58
    height = 320
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = scale_max([v for _, values in series for v in values])
    step = 10 ** max(0, len(str(peak)) - 1)
    ceiling = math.ceil(peak / step) * step or 1
    n = max(len(months), 1)

    def x(i: float) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / ceiling

    body = []
    if shaded is not None:
        first, last = shaded
        body.append(
            rect(
                f"{x(first - 0.5):.1f}",
                top,
                f"{x(last + 0.5) - x(first - 0.5):.1f}",
                plot_h,
                "#eef3f8",
            )
        )
    for tick in range(0, 5):
        value = ceiling * tick / 4
        body += [
            f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - right}" y2="{y(value):.1f}" stroke="#d0d0d0" stroke-width="1"/>',
            text(left - 6, y(value) + 4, f"{value:,.0f}", anchor="end", size=11, fill=MUTED),
        ]
    label_every = max(1, math.ceil(n / 12))
    for i, month in enumerate(months):
        if i % label_every == 0:
            body.append(
                text(x(i), height - bottom + 16, month, anchor="middle", size=11, fill=MUTED)
            )
    for i, label in markers:
        body += [
            f'<line x1="{x(i - 0.5):.1f}" y1="{top - 6}" x2="{x(i - 0.5):.1f}" y2="{top + plot_h}" stroke="{INK}" stroke-width="1.5" stroke-dasharray="3 3"/>',
            # Near the right edge the label sits left of its line, so it is never cut off.
            text(x(i - 0.5) + 3, top - 10, label, size=11)
            if x(i - 0.5) < width - right - 90
            else text(x(i - 0.5) - 3, top - 10, label, size=11, anchor="end"),
        ]
    for s, (_name, values) in enumerate(series):
        colour, dash = SERIES_COLOURS[s % 4], SERIES_DASHES[s % 4]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"{dashed}/>'
        )
        body += [
            f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5" fill="{colour}"/>'
            for i, v in enumerate(values)
        ]
    lx = left
    for s, (name, _values) in enumerate(series):
        colour, dash = SERIES_COLOURS[s % 4], SERIES_DASHES[s % 4]
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        body += [
            f'<line x1="{lx}" y1="{height - 14}" x2="{lx + 28}" y2="{height - 14}" stroke="{colour}" stroke-width="2.5"{dashed}/>',
            text(lx + 34, height - 10, name, size=12),
        ]
        lx += 50 + 7 * len(name)
    description = "; ".join(
        f"{name}: " + ", ".join(f"{m} {v:,}" for m, v in zip(months, values, strict=True))
        for name, values in series
    )
    return svg(
        width=width,
        height=height,
        title=title,
        description=description or "No data.",
        body=body,
        css_class="evaluation-chart",
        font=COMPARISON_FONT,
        fluid=True,
    )
