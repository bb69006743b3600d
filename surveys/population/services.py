"""Every write to the areas' population margins."""

from django.db import transaction
from wagtail.log_actions import log

from ..services import wave_results_weigh
from .census_import import CensusMargin, census_margin_read
from .models import PopulationCount, PopulationMargins

LOG_ACTION_CENSUS_IMPORT = "surveys.population.census_imported"


@transaction.atomic
def population_census_import(
    *, area, key: str, data: bytes, geography_codes: str | None = None, user=None
) -> tuple[PopulationMargins, CensusMargin]:
    """Replace ``area``'s counts for one profile question with a Census 2021 table's,
    added up over the area's census areas (``geography_codes``, saved with the margins
    when given). Raises ``CensusImportError`` naming what is wrong, changing nothing."""
    margins, _ = PopulationMargins.objects.select_for_update().get_or_create(area=area)
    if geography_codes is not None:
        margins.geography_codes = geography_codes.strip()
    margin = census_margin_read(data, key=key, codes=margins.codes)
    PopulationCount.objects.filter(margins=margins, profile_key=key).delete()
    PopulationCount.objects.bulk_create(
        PopulationCount(margins=margins, profile_key=key, category=value, count=count)
        for value, count in margin.counts.items()
    )
    table = margin.title.split(" ")[0]
    if table not in margins.source:
        margins.source = (
            f"{margins.source}, {table}" if margins.source else f"Census 2021 (Nomis): {table}"
        )[:255]
    margins.save()
    # Published results taken before the area had margins are weighted now.
    wave_results_weigh(area_id=area.pk)
    log(
        instance=margins,
        action=LOG_ACTION_CENSUS_IMPORT,
        user=user,
        data={"question": key, "table": margin.title, "census_areas": margin.rows},
    )
    return margins, margin
