"""The grid's table rows, written in Python: up to 25 cells of 9 names each, where a
template loop spends ten times as long on every row."""

from django import template
from django.template.defaultfilters import date
from django.utils.html import format_html, format_html_join

from engagement.stakeholders.views import stakeholder_inspect_url

register = template.Library()


@register.simple_tag
def stakeholder_grid_rows(chart, link_names: bool = False) -> str:
    """One row per numbered stakeholder, matching the chart's points."""
    return format_html_join("", "{}", ((_row(number, s, link_names),) for number, s in chart.rows))


def _row(number: int, stakeholder, link_names: bool) -> str:
    name = (
        format_html(
            '<a href="{}">{}</a>',
            stakeholder_inspect_url(stakeholder),
            stakeholder,
        )
        if link_names
        else format_html("{}", stakeholder)
    )
    return format_html(
        '<tr data-stakeholder="{}"><td>{}</td><th scope="row">{}</th><td>{}</td><td>{}</td>'
        "<td>{}</td><td>{}</td><td>{}</td></tr>",
        stakeholder.pk,
        number,
        name,
        stakeholder.get_stakeholder_type_display(),
        stakeholder.interest,
        stakeholder.influence,
        stakeholder.quadrant.label,
        date(stakeholder.next_action_due, "j M Y") or "—",
    )
