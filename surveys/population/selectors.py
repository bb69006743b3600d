"""Reads of the areas' population margins."""

from .checks import margin_errors, margins_warnings
from .models import PopulationCount, PopulationMargins


def population_margins_by_area(area_ids) -> dict[int, dict[str, dict[str, int]]]:
    """Each area's counts by profile question and answer. One query."""
    result: dict[int, dict[str, dict[str, int]]] = {}
    for area_id, key, category, count in PopulationCount.objects.filter(
        margins__area_id__in=list(area_ids)
    ).values_list("margins__area_id", "profile_key", "category", "count"):
        result.setdefault(area_id, {}).setdefault(key, {})[category] = count
    return result


def population_problems(margins: PopulationMargins) -> tuple[list[str], list[str]]:
    """What makes the margins unusable (errors) and what does not agree (warnings)."""
    by_key: dict[str, dict[str, int]] = {}
    for count in margins.counts.all():
        by_key.setdefault(count.profile_key, {})[count.category] = count.count
    errors = [e for key, counts in by_key.items() for e in margin_errors(key, counts)]
    warnings = margins_warnings(by_key, households=margins.area.household_count)
    return errors, warnings


def population_margins_listing():
    return PopulationMargins.objects.select_related("area").prefetch_related("counts")
