from django import template

register = template.Library()


@register.filter
def pct(value, places=0):
    """0.1234 → '12%'; nothing (suppressed) → an em dash."""
    if value is None or value == "":
        return "—"
    return f"{100 * value:.{int(places)}f}%"


@register.filter
def points(value):
    """A change in a share, in signed percentage points."""
    if value is None:
        return "—"
    return f"{100 * value:+.1f}".replace("-", "−")


@register.filter
def zip_cells(first, second):
    return list(zip(first, second, strict=True))


@register.filter
def p_value(value):
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@register.filter
def size_points(value):
    """An unsigned size in percentage points."""
    return f"{100 * value:.1f}"
