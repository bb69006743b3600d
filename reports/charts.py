"""Small SVG charts drawn on the server, so they show the same in the browser, in the
admin and in the printed PDF, with no script. Each chart carries a title and a text
description for screen readers; the templates put a table of the same figures beside it.
"""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The quadrants in the stakeholder grid's own colours, so a report reads like the grid.
from engagement.stakeholders.grid import POINT_FILL, QUADRANT_FILL

INK = "#1d1d1b"
MUTED = "#5c5c5c"
SERIES_COLOURS = ["#005a9c", "#e07b00", "#2e7d32", "#7b1fa2"]
FONT = "font-family:Helvetica,Arial,sans-serif"


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 (every piece of text below is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width:100%;height:auto">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        + "".join(body)
        + "</svg>"
    )


def _scale_max(values: list[int]) -> int:
    return max([*values, 1])


def bar_chart(rows: list[tuple[str, int]], *, title: str, width: int = 560) -> SafeString:
    """Horizontal bars, one per row of (label, value)."""
    label_width, bar_height, gap = 170, 22, 10
    height = max(len(rows), 1) * (bar_height + gap) + gap
    top = _scale_max([v for _, v in rows])
    usable = width - label_width - 60
    body = []
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_height + gap)
        length = round(usable * value / top)
        body.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end" '
            f'style="{FONT};font-size:13px" fill="{INK}">{escape(label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
            f'fill="{SERIES_COLOURS[0]}"/>'
            f'<text x="{label_width + length + 6}" y="{y + 16}" '
            f'style="{FONT};font-size:13px" fill="{INK}">{value:,}</text>'
        )
    if not rows:
        body.append(
            f'<text x="10" y="24" style="{FONT};font-size:13px" fill="{MUTED}">Nothing to show.</text>'
        )
    description = "; ".join(f"{label}: {value:,}" for label, value in rows) or "No data."
    return _svg(width, height, title, description, body)


def grouped_bar_chart(
    categories: list[str], series: list[tuple[str, list[int]]], *, title: str, width: int = 560
) -> SafeString:
    """Horizontal bars grouped per category, one bar per series (e.g. planned and
    delivered), with a legend."""
    label_width, bar_height, inner_gap, group_gap = 170, 14, 2, 12
    group_height = len(series) * (bar_height + inner_gap)
    legend_height = 26
    height = legend_height + max(len(categories), 1) * (group_height + group_gap) + group_gap
    top = _scale_max([v for _, values in series for v in values])
    usable = width - label_width - 60
    body = []
    x = label_width
    for s, (name, _values) in enumerate(series):
        body.append(
            f'<rect x="{x}" y="6" width="12" height="12" fill="{SERIES_COLOURS[s]}"/>'
            f'<text x="{x + 18}" y="17" style="{FONT};font-size:12px" fill="{INK}">{escape(name)}</text>'
        )
        x += 30 + 8 * len(name)
    for c, category in enumerate(categories):
        y0 = legend_height + group_gap + c * (group_height + group_gap)
        body.append(
            f'<text x="{label_width - 8}" y="{y0 + group_height / 2 + 4}" text-anchor="end" '
            f'style="{FONT};font-size:13px" fill="{INK}">{escape(category)}</text>'
        )
        for s, (_name, values) in enumerate(series):
            value = values[c]
            y = y0 + s * (bar_height + inner_gap)
            length = round(usable * value / top)
            body.append(
                f'<rect x="{label_width}" y="{y}" width="{length}" height="{bar_height}" '
                f'fill="{SERIES_COLOURS[s]}"/>'
                f'<text x="{label_width + length + 5}" y="{y + 11}" '
                f'style="{FONT};font-size:11px" fill="{INK}">{value:,}</text>'
            )
    description = "; ".join(
        f"{category}: " + ", ".join(f"{name} {values[c]:,}" for name, values in series)
        for c, category in enumerate(categories)
    )
    return _svg(width, height, title, description or "No data.", body)


def quadrant_chart(quadrants: list[dict], *, title: str, size: int = 320) -> SafeString:
    """The interest/influence grid (the guide's Figure 2) with the count in each quadrant.

    ``quadrants`` are dicts with ``key``, ``label`` and ``count``.
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
        body.append(
            f'<rect x="{x}" y="{y}" width="{cell - 4}" height="{cell - 4}" '
            f'fill="{QUADRANT_FILL[key]}" stroke="{POINT_FILL[key]}"/>'
            f'<text x="{x + cell / 2 - 2}" y="{y + cell / 2 - 10}" text-anchor="middle" '
            f'style="{FONT};font-size:30px;font-weight:bold" fill="{INK}">{q["count"]:,}</text>'
            f'<text x="{x + cell / 2 - 2}" y="{y + cell / 2 + 16}" text-anchor="middle" '
            f'style="{FONT};font-size:14px" fill="{INK}">{escape(q["label"])}</text>'
        )
    body.append(
        f'<text x="{margin + cell}" y="{size - 6}" text-anchor="middle" '
        f'style="{FONT};font-size:12px" fill="{MUTED}">Influence: low → high</text>'
        f'<text x="14" y="{cell}" text-anchor="middle" transform="rotate(-90 14 {cell})" '
        f'style="{FONT};font-size:12px" fill="{MUTED}">Interest: low → high</text>'
    )
    description = "; ".join(f"{q['label']}: {q['count']:,}" for q in quadrants)
    return _svg(size, size, title, description, body)
