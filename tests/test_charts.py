"""The one chart module: its palette is readable on white, the report's quadrant chart is
in the grid's colours, and every chart labels its figures and escapes its text."""

import re

import pytest
from signpost import charts


def _contrast_on_white(colour: str) -> float:
    """WCAG 2 contrast ratio of ``colour`` against white."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("colour", [charts.INK, charts.MUTED])
def test_text_colours_pass_aa_on_white(colour):
    assert _contrast_on_white(colour) >= 4.5


@pytest.mark.parametrize(
    "colour", [charts.BAR_COLOUR, *charts.SERIES_COLOURS, *charts.POINT_FILL.values()]
)
def test_bar_point_and_line_colours_pass_three_to_one_on_white(colour):
    assert _contrast_on_white(colour) >= 3


@pytest.mark.parametrize("fill", charts.QUADRANT_FILL.values())
def test_text_on_a_quadrant_passes_aa(fill):
    ink = _contrast_on_white(charts.INK)
    assert ink * (1 / _contrast_on_white(fill)) >= 4.5


def test_the_reports_quadrant_chart_uses_the_grids_colours():
    from engagement.models import Quadrant
    from engagement.stakeholders.grid import POINT_FILL, QUADRANT_FILL

    for quadrant in Quadrant:
        svg = charts.quadrant_chart(
            [{"key": quadrant.value, "label": quadrant.label, "count": 1}], title="Grid"
        )
        assert f'fill="{QUADRANT_FILL[quadrant]}" stroke="{POINT_FILL[quadrant]}"' in svg


def test_a_bar_chart_labels_each_bar_with_its_figure_and_escapes_its_text():
    svg = charts.bar_chart([("Mill <Lane> & Co", 1234), ("Canal Quarter", 617)], title="Scans")
    assert "<Lane>" not in svg and "Mill &lt;Lane&gt; &amp; Co" in svg
    assert ">1,234</text>" in svg and ">617</text>" in svg
    assert "<desc>Mill &lt;Lane&gt; &amp; Co: 1,234; Canal Quarter: 617</desc>" in svg
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths == [330, 165]  # the largest figure fills the bar area, half of it half


def test_grouped_bars_are_drawn_in_the_series_colours_with_a_legend():
    svg = charts.grouped_bar_chart(
        ["Forum meeting"], [("Planned", [4]), ("Delivered", [3])], title="Activities"
    )
    planned, delivered = charts.SERIES_COLOURS[:2]
    assert svg.count(f'fill="{planned}"') == 2 and svg.count(f'fill="{delivered}"') == 2
    assert ">Planned</text>" in svg and ">Delivered</text>" in svg
    assert "<desc>Forum meeting: Planned 4, Delivered 3</desc>" in svg


def test_the_change_chart_scale_holds_every_interval_and_says_why_a_row_has_none():
    svg = charts.change_chart(
        [
            ("Safe after dark", charts.Interval(12.0, 1.5, 22.5, "+12.0")),
            ("Drug dealing is a problem", None),
        ],
        title="Change",
        description="Follow-up minus baseline.",
        missing="too few answers to compare",
    )
    assert ">−30 points</text>" in svg and ">+30 points</text>" in svg
    assert ">+12.0</text>" in svg and ">too few answers to compare</text>" in svg


def test_a_line_chart_tells_series_apart_without_colour_and_keeps_labels_inside():
    from signpost.charts import SERIES_DASHES, line_chart

    months = [f"M{i}" for i in range(12)]
    chart = str(
        line_chart(
            months,
            [("Operation area", list(range(12))), ("Buffer", [5] * 12)],
            title="Crime a month",
            markers=[(3, "Start"), (11, "Arrest day")],
            shaded=(3, 11),
        )
    )
    # The second series is dashed, in the line and in its legend.
    assert chart.count(f'stroke-dasharray="{SERIES_DASHES[1]}"') == 2
    # The description carries every figure, for screen readers.
    assert "Operation area: M0 0, M1 1" in chart and "Buffer: M0 5" in chart
    # The last month's marker label is drawn leftwards of its line, inside the chart.
    assert 'text-anchor="end" font-weight="normal" fill="#1b1b1b">Arrest day' in chart
    assert 'text-anchor="start" font-weight="normal" fill="#1b1b1b">Start' in chart
