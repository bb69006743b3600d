"""Whether an area's margins add up, with what is wrong named in words.

``margin_errors`` finds what makes one question's margin unusable (a missing answer, a
total of nothing); ``margins_warnings`` compares the questions with each other and with
the area: census tables counting the same people should agree (within 1%, since Census
2021 counts are lightly perturbed to protect confidentiality), residents aged 16 and over
cannot outnumber all residents, and households by tenure should match the area's
households.
"""

from ..profile import ALL_RESIDENTS, HOUSEHOLDS, PROFILE, RESIDENTS_16_PLUS

SAME_BASE_TOLERANCE = 0.01
HOUSEHOLD_TOLERANCE = 0.10


def _name(key: str) -> str:
    return key.removeprefix("profile_").replace("_", " ")


def margin_errors(key: str, counts: dict[str, int]) -> list[str]:
    """Why one question's counts cannot be used to weight (empty when they can)."""
    item = PROFILE[key]
    errors = []
    unknown = sorted(set(counts) - set(item.categories))
    if unknown:
        errors.append(
            f"{_name(key).capitalize()}: {', '.join(repr(v) for v in unknown)} "
            f"{'is not an answer' if len(unknown) == 1 else 'are not answers'} to "
            f"'{item.text}'."
        )
    missing = [label for value, label in item.options if value not in counts]
    if missing:
        errors.append(
            f"{_name(key).capitalize()} has no count for {', '.join(repr(m) for m in missing)}: "
            "enter 0 if nobody in the area gives that answer."
        )
    if counts and not sum(counts.values()):
        errors.append(f"{_name(key).capitalize()} adds up to nobody.")
    if any(c < 0 for c in counts.values()):
        errors.append(f"{_name(key).capitalize()} has a negative count.")
    return errors


def margins_warnings(
    margins: dict[str, dict[str, int]], *, households: int | None = None
) -> list[str]:
    """What does not agree between the questions' counts, or with the area."""
    warnings = []
    totals = {key: sum(counts.values()) for key, counts in margins.items() if counts}
    same_base = [k for k in totals if PROFILE[k].base == ALL_RESIDENTS]
    for first, second in zip(same_base, same_base[1:], strict=False):
        a, b = totals[first], totals[second]
        if abs(a - b) > SAME_BASE_TOLERANCE * max(a, b):
            warnings.append(
                f"{_name(first).capitalize()} adds up to {a:,} residents but "
                f"{_name(second)} to {b:,} ({100 * abs(a - b) / max(a, b):.1f}% apart). Both "
                f"count {ALL_RESIDENTS}, so they should agree within "
                f"{100 * SAME_BASE_TOLERANCE:.0f}%: check they are for the same census areas."
            )
    adults = totals.get("profile_age")
    everyone = max((totals[k] for k in same_base), default=None)
    if adults is not None and everyone is not None and adults > everyone:
        warnings.append(
            f"Age counts {adults:,} {RESIDENTS_16_PLUS}, more than the {everyone:,} "
            f"{ALL_RESIDENTS} the other questions count: check they are for the same census "
            "areas."
        )
    tenure = totals.get("profile_tenure")
    if (
        tenure is not None
        and households
        and abs(tenure - households) > HOUSEHOLD_TOLERANCE * households
    ):
        warnings.append(
            f"Tenure counts {tenure:,} {HOUSEHOLDS}, but the area is recorded as having "
            f"{households:,} households ({100 * abs(tenure - households) / households:.0f}% "
            "apart): check the census areas, or the area's household count."
        )
    return warnings
