"""The interest/influence grid as a picture (guide section 8, Figure 2).

Builds the geometry of a server-rendered SVG: the 2×2 quadrants over a 5×5 score grid,
every stakeholder placed in its score cell without overlapping others in the same cell,
or, for viewers who may not see names, one count per cell. Templates draw it; this
module only works out where things go.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.html import format_html
from django.utils.safestring import mark_safe
from signpost.charts import POINT_FILL, QUADRANT_FILL

from .models import Quadrant, grid_threshold

LEFT, TOP, CELL = 64, 32, 96
SIZE = 5 * CELL
WIDTH, HEIGHT = LEFT + SIZE + 16, TOP + SIZE + 84
# Beyond this a cell shows 8 points and a "+n" marker. Three rows of three slots make each
# point 26 px across, over WCAG 2.2's 24-px target, with room for a three-digit number;
# and a register's grid names at most 225, however many it holds.
MAX_IN_CELL = 9


def cell_origin(interest: int, influence: int) -> tuple[float, float]:
    """Top-left corner of the score cell: influence runs left to right, interest bottom
    to top."""
    return LEFT + (influence - 1) * CELL, TOP + (5 - interest) * CELL


@dataclass
class Region:
    quadrant: Quadrant
    x: float
    y: float
    width: float
    height: float

    @property
    def fill(self) -> str:
        return QUADRANT_FILL[self.quadrant]

    @property
    def label_x(self) -> float:
        """Labels sit outside the plot (above the top quadrants, below the bottom ones),
        so no point ever covers them."""
        return self.x + 4

    @property
    def label_y(self) -> float:
        if self.y == TOP:
            return TOP - 10
        return TOP + SIZE + 40

    @property
    def text_x(self) -> float:
        return self.label_x + 18

    @property
    def swatch_y(self) -> float:
        return self.label_y - 11


@dataclass
class Point:
    x: float
    y: float
    r: float
    quadrant: Quadrant
    interest: int
    influence: int
    title: str
    number: int | None = None
    stakeholder_id: int | None = None
    url: str = ""
    flagged: bool = False
    label: str = ""  # the text inside: a number matching the table, a count, or "+n"

    @property
    def fill(self) -> str:
        return POINT_FILL[self.quadrant]

    @property
    def ring_r(self) -> float:
        return self.r + 3

    @property
    def font_size(self) -> float:
        return round(max(8.0, min(13.0, self.r * 0.95)), 1)


@dataclass
class Chart:
    regions: list[Region]
    points: list[Point]
    threshold: int
    anonymous: bool = False
    trail: list[tuple[float, float]] = field(default_factory=list)
    rows: list = field(default_factory=list)  # (number, stakeholder), matching the points
    hidden: dict = field(default_factory=dict)  # Quadrant -> how many are not drawn by name
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    size: int = SIZE

    @property
    def ticks(self) -> list[dict]:
        return [
            {
                "score": n,
                "x": LEFT + (n - 0.5) * CELL,
                "y": TOP + (5 - n + 0.5) * CELL,
                "x_label_y": TOP + SIZE + 18,
                "y_label_x": LEFT - 10,
            }
            for n in range(1, 6)
        ]

    @property
    def threshold_x(self) -> float:
        return LEFT + (self.threshold - 1) * CELL

    @property
    def threshold_y(self) -> float:
        return TOP + (6 - self.threshold) * CELL

    @property
    def influence_label(self) -> dict:
        return {"x": LEFT + SIZE / 2, "y": TOP + SIZE + 66}

    @property
    def interest_label(self) -> dict:
        return {"x": 18, "y": TOP + SIZE / 2}

    @property
    def bottom(self) -> float:
        return TOP + SIZE

    @property
    def right(self) -> float:
        return LEFT + SIZE

    @property
    def trail_path(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.trail)

    @property
    def points_svg(self) -> str:
        """The points as SVG, written here rather than in a template loop: a register's
        grid draws up to 25 cells of 9 points, and a template spends ten times as long
        on each."""
        return mark_safe("".join(_point_svg(point) for point in self.points))  # noqa: S308 (each part is escaped by format_html)


def _point_svg(point: Point) -> str:
    ring = (
        format_html(
            '<circle cx="{}" cy="{}" r="{}" fill="none" stroke="#b00020" stroke-width="2.5"/>',
            point.x,
            point.y,
            point.ring_r,
        )
        if point.flagged
        else ""
    )
    label = (
        format_html(
            '<text x="{}" y="{}" font-size="{}" font-weight="700" fill="#fff" '
            'text-anchor="middle" dominant-baseline="central">{}</text>',
            point.x,
            point.y,
            point.font_size,
            point.label,
        )
        if point.label
        else ""
    )
    stakeholder = (
        format_html(' data-stakeholder="{}"', point.stakeholder_id) if point.stakeholder_id else ""
    )
    drawn = format_html(
        '<g class="signpost-grid__point"{} data-quadrant="{}" data-interest="{}" '
        'data-influence="{}"><title>{}</title>{}<circle cx="{}" cy="{}" r="{}" fill="{}" '
        'stroke="#fff" stroke-width="1.5"/>{}</g>',
        stakeholder,
        point.quadrant.value,
        point.interest,
        point.influence,
        point.title,
        ring,
        point.x,
        point.y,
        point.r,
        point.fill,
        label,
    )
    if point.url:
        return format_html('<a href="{}">{}</a>', point.url, drawn)
    return drawn


def regions(threshold: int) -> list[Region]:
    high = 6 - threshold  # number of "high" score columns/rows
    low = threshold - 1
    split_x, split_y = LEFT + low * CELL, TOP + high * CELL
    candidates = [
        Region(Quadrant.INVOLVE, split_x, TOP, high * CELL, high * CELL),
        Region(Quadrant.CONSULT, LEFT, TOP, low * CELL, high * CELL),
        Region(Quadrant.INFORM, split_x, split_y, high * CELL, low * CELL),
        Region(Quadrant.WATCH, LEFT, split_y, low * CELL, low * CELL),
    ]
    return [r for r in candidates if r.width > 0 and r.height > 0]


def _slots(n: int) -> tuple[int, float, float]:
    """Sub-grid size k (k×k slots per cell), slot size and point radius for n points."""
    k = max(1, math.ceil(math.sqrt(min(n, MAX_IN_CELL))))
    slot = CELL / k
    return k, slot, min(14.0, slot / 2 - 3)


def _centre(x0: float, y0: float, slot: float, per_row: int, index: int) -> dict:
    """Where a cell's index-th point sits: the cell holds rows of ``per_row`` slots."""
    row, col = divmod(index, per_row)
    return {"x": x0 + slot * (col + 0.5), "y": y0 + slot * (row + 0.5)}


def grid_chart(
    stakeholders,
    *,
    cell_counts: dict[tuple[int, int], int] | None = None,
    anonymous: bool = False,
    url_for=None,
    flagged_ids=(),
) -> Chart:
    """Place scored stakeholders on the grid.

    ``stakeholders`` is an iterable with ``pk``, ``name``, ``interest`` and ``influence``
    (unscored ones are left out): every one, or only the first of each cell as
    ``selectors.stakeholders_for_grid`` reads them, with ``cell_counts`` saying how many
    each cell holds in all. Points sharing a score cell are laid out on a small sub-grid
    inside it, so they never overlap; a crowded cell shows its first names and a "+n"
    marker. Each point is numbered to match the table. With ``anonymous`` each cell
    shows only how many stakeholders it holds (``cell_counts`` alone is enough).
    """
    threshold = grid_threshold()
    by_cell: dict[tuple[int, int], list] = defaultdict(list)
    scored = [s for s in stakeholders if s.interest is not None and s.influence is not None]
    for s in scored:
        by_cell[(s.interest, s.influence)].append(s)
    if cell_counts is None:
        cell_counts = {cell: len(members) for cell, members in by_cell.items()}

    points: list[Point] = []
    if anonymous:
        for (interest, influence), n in sorted(cell_counts.items()):
            if not n:
                continue
            x0, y0 = cell_origin(interest, influence)
            quadrant = Quadrant.for_scores(interest, influence)
            points.append(
                Point(
                    x=x0 + CELL / 2,
                    y=y0 + CELL / 2,
                    r=min(CELL / 2 - 8, 12 + 4 * math.sqrt(n)),
                    quadrant=quadrant,
                    interest=interest,
                    influence=influence,
                    title=f"{n} stakeholder{'s' if n != 1 else ''}: interest {interest}, influence {influence}",
                    label=str(n),
                )
            )
        return Chart(regions(threshold), points, threshold, anonymous=True)

    shown_by_cell = {}
    for cell, members in by_cell.items():
        members.sort(key=_sort_key)
        in_cell = max(cell_counts.get(cell, 0), len(members))
        shown_by_cell[cell] = members if in_cell <= MAX_IN_CELL else members[: MAX_IN_CELL - 1]
    shown_all = [s for members in shown_by_cell.values() for s in members]
    numbers = {s.pk: i for i, s in enumerate(sorted(shown_all, key=_sort_key), start=1)}
    hidden_by_quadrant: dict[Quadrant, int] = defaultdict(int)
    for (interest, influence), shown in sorted(shown_by_cell.items()):
        in_cell = max(
            cell_counts.get((interest, influence), 0), len(by_cell[(interest, influence)])
        )
        x0, y0 = cell_origin(interest, influence)
        k, slot, radius = _slots(in_cell)
        quadrant = Quadrant.for_scores(interest, influence)
        for index, s in enumerate(shown):
            points.append(
                Point(
                    **_centre(x0, y0, slot, k, index),
                    r=radius,
                    quadrant=quadrant,
                    interest=interest,
                    influence=influence,
                    title=f"{numbers[s.pk]}. {s.name}: interest {interest}, influence {influence}",
                    number=numbers[s.pk],
                    stakeholder_id=s.pk,
                    url=url_for(s) if url_for else "",
                    flagged=s.pk in flagged_ids,
                    label=str(numbers[s.pk]),
                )
            )
        hidden = in_cell - len(shown)
        hidden_by_quadrant[quadrant] += hidden
        if hidden:
            points.append(
                Point(
                    **_centre(x0, y0, slot, k, MAX_IN_CELL - 1),
                    r=radius,
                    quadrant=quadrant,
                    interest=interest,
                    influence=influence,
                    title=f"+{hidden} more in this cell: the table links to them all",
                    label=f"+{hidden}",
                )
            )
    rows = sorted(((numbers[s.pk], s) for s in shown_all), key=lambda row: row[0])
    return Chart(regions(threshold), points, threshold, rows=rows, hidden=dict(hidden_by_quadrant))


def _sort_key(stakeholder):
    return (stakeholder.name.lower(), stakeholder.pk)


def trail_chart(assessments) -> Chart:
    """One stakeholder's past positions, oldest first, joined by a line; repeated
    positions are nudged apart so each stays visible."""
    threshold = grid_threshold()
    seen: dict[tuple[int, int], int] = defaultdict(int)
    points = []
    assessments = list(assessments)
    for number, a in enumerate(assessments, start=1):
        repeat = seen[(a.interest, a.influence)]
        seen[(a.interest, a.influence)] += 1
        x0, y0 = cell_origin(a.interest, a.influence)
        offset = (repeat % 3) * 16
        last = number == len(assessments)
        points.append(
            Point(
                x=x0 + CELL / 2 + offset,
                y=y0 + CELL / 2 + offset,
                r=13 if last else 10,
                quadrant=a.quadrant,
                interest=a.interest,
                influence=a.influence,
                title=f"{number}. {a.assessed_on:%d %b %Y}: interest {a.interest}, influence {a.influence}",
                number=number,
                flagged=last,
                label=str(number),
            )
        )
    chart = Chart(regions(threshold), points, threshold)
    chart.trail = [(p.x, p.y) for p in points]
    return chart
