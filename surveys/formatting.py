"""How figures are written, the same on the page, in the summary, the charts and the
exports, so the table and the text never show two versions of one number.

Rounding never contradicts the verdict: a figure that would round to zero is written
with more decimals until its sign shows (never "−0"), and a p-value just under 0.05 is
never rounded up to "0.050".
"""

from decimal import ROUND_HALF_UP, Decimal

MAX_PLACES = 6


def _signed(number: float, places: int) -> str:
    text = f"{abs(number):.{places}f}"
    if float(text) == 0:
        return text
    return ("+" if number > 0 else "−") + text


def points_number(value: float, places: int = 1) -> str:
    """A change (a difference of two shares, 0.176) as signed percentage points: "+17.6"."""
    number = 100 * value
    while places < MAX_PLACES and number != 0 and float(f"{abs(number):.{places}f}") == 0:
        places += 1
    return _signed(number, places)


def points_text(value: float) -> str:
    number = points_number(value)
    return f"{number} {'point' if number.lstrip('+−') == '1' else 'points'}"


def size_points(value: float) -> str:
    """An unsigned size in percentage points: "12.3"."""
    return f"{100 * value:.1f}"


def percent_of(part: int, whole: int, places: int = 0) -> str:
    """``part`` of ``whole`` as a percentage, worked out exactly from the two counts and
    rounded half up: the one rounding every table, chart, sentence and download uses, so
    23 of 40 is "58" wherever it is written."""
    exact = Decimal(100 * part) / Decimal(whole)
    return str(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def p_value_number(p: float, alpha: float = 0.05) -> str:
    """ "< 0.001", or three decimals, more where three would cross ``alpha``."""
    if p < 0.001:
        return "< 0.001"
    places = 3
    while p < alpha and float(f"{p:.{places}f}") >= alpha and places < MAX_PLACES:
        places += 1
    return f"{p:.{places}f}"


def p_value_text(p: float) -> str:
    number = p_value_number(p)
    return f"p {number}" if number.startswith("<") else f"p = {number}"


def confidence_text(confidence: float) -> str:
    """0.95 → "95%", 0.9875 → "98.75%"."""
    return f"{100 * confidence:.2f}".rstrip("0").rstrip(".") + "%"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count:,} {singular if count == 1 else (plural_form or singular + 's')}"
