from django import template

from surveys import formatting

register = template.Library()


@register.filter
def pct(value, places=0):
    """0.1234 → '12%'; nothing (suppressed) → an em dash."""
    if value is None or value == "":
        return "—"
    return f"{100 * value:.{int(places)}f}%"


@register.filter
def points(value):
    """A change in a share, in signed percentage points, as in the summary's text."""
    if value is None:
        return "—"
    return formatting.points_number(value)


@register.filter
def zip_cells(first, second):
    return list(zip(first, second, strict=True))


@register.filter
def p_value(value):
    return formatting.p_value_number(value)


@register.filter
def size_points(value):
    """An unsigned size in percentage points."""
    return formatting.size_points(value)


@register.filter
def confidence(value):
    return formatting.confidence_text(value)
