"""The evaluation's figures as the project's charts: the monthly series with the
operation's phases, and an area's map of boundary and crime points."""

from signpost import charts

from . import geography
from .selectors import ZONE_LABELS, ZONES, EvaluationResult


def series_chart(result: EvaluationResult):
    evaluation = result.evaluation
    operation = evaluation.operation
    months = result.months
    index = {m: i for i, m in enumerate(months)}
    markers = []
    for label, day in (
        ("Start", operation.start_date),
        ("Arrest day", operation.arrest_day),
        ("End", operation.end_date),
    ):
        if day is not None and day.replace(day=1) in index:
            markers.append((index[day.replace(day=1)], label))
    first_after = index.get(evaluation.after_start)
    last_after = index.get(evaluation.after_end)
    return charts.line_chart(
        [f"{m:%b %y}" for m in months],
        [(f"{ZONE_LABELS[zone]}", result.series[zone]) for zone in ZONES],
        title=f"Recorded crime a month: {', '.join(evaluation.crime_type_names)}",
        markers=markers,
        shaded=(first_after, last_after) if first_after is not None else None,
    )


def area_map(area_boundary, points, *, title: str, size: int = 420):
    """The boundary (British National Grid, north up) with each record's snap point."""
    shapes = []
    if area_boundary is not None:
        shapes.append(geography.to_grid(area_boundary))
    grid_points = [geography.to_grid_point(lon, lat) for lon, lat in points]
    xs = [x for s in shapes for x in (s.bounds[0], s.bounds[2])] + [p[0] for p in grid_points]
    ys = [y for s in shapes for y in (s.bounds[1], s.bounds[3])] + [p[1] for p in grid_points]
    if not xs:
        return None
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    span = max(east - west, north - south, 100) * 1.08
    cx, cy = (west + east) / 2, (south + north) / 2

    def place(x, y):
        return (size / 2 + (x - cx) * size / span, size / 2 - (y - cy) * size / span)

    body = [charts.rect(0, 0, size, size, "#f7f7f7")]
    for shape in shapes:
        polygons = getattr(shape, "geoms", [shape])
        for polygon in polygons:
            for ring in [polygon.exterior, *polygon.interiors]:
                d = " ".join(f"{px:.1f},{py:.1f}" for px, py in (place(*c) for c in ring.coords))
                body.append(
                    f'<polygon points="{d}" fill="#d6e4f5" fill-opacity="0.5" '
                    f'stroke="{charts.FOLLOW_UP_COLOUR}" stroke-width="2"/>'
                )
    for x, y in grid_points[:3000]:
        px, py = place(x, y)
        body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.5" fill="{charts.INK}"/>')
    metres = 10 ** (len(str(int(span / 4))) - 1)
    bar = metres * size / span
    body += [
        f'<line x1="12" y1="{size - 14}" x2="{12 + bar:.1f}" y2="{size - 14}" stroke="{charts.INK}" stroke-width="3"/>',
        charts.text(12, size - 20, f"{metres:,} m", size=11),
    ]
    return charts.svg(
        width=size,
        height=size,
        title=title,
        description=f"The boundary and {len(points):,} recorded crimes' snap points.",
        body=body,
        css_class="evaluation-map",
        font=charts.COMPARISON_FONT,
        fluid=True,
    )
