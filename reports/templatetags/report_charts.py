import datetime

from django import template
from django.conf import settings
from django.utils.dateformat import format as date_format
from signpost import charts

register = template.Library()


@register.simple_tag
def quadrant_chart(stakeholders):
    return charts.quadrant_chart(
        stakeholders["quadrants"], title="Stakeholders in each quadrant of the grid"
    )


@register.simple_tag
def activities_chart(activities):
    modes = activities["modes"]
    return charts.grouped_bar_chart(
        [m["mode"] for m in modes],
        [
            ("Planned", [m["planned"] for m in modes]),
            ("Delivered", [m["delivered"] for m in modes]),
        ],
        title="Activities planned and delivered, by mode of communication",
    )


@register.simple_tag
def area_bar_chart(rows, field, title):
    """Bars of one figure per area, e.g. ``{% area_bar_chart printing.areas "scans" "…" %}``."""
    return charts.bar_chart([(row["area"], row[field]) for row in rows], title=title)


@register.filter
def isodate(value, fmt="j M Y"):
    """A date stored as ISO text in a report snapshot, formatted for reading."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return date_format(value, fmt)


@register.filter
def response_count(count):
    """A wave's response count as reports print it: below the survey threshold (or already
    suppressed to None by the selector) it reads "fewer than 10", as on the comparison page."""
    threshold = settings.SURVEYS_SUPPRESSION_THRESHOLD
    if count is None or count < threshold:
        return f"fewer than {threshold}"
    return count
