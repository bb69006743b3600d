"""Profile answers in the raw export, without letting a combination single out a household.

The raw export lists each anonymous response on its own row. Age band, sex, tenure and
ethnic group are each harmless, but together, in a small area, they can point to one
household ("the only Black woman over 65 who rents privately on the estate"). So a row
shows its profile answers only when at least ``threshold`` responses of the same wave
gave the same combination of them (skipped and "prefer not to say" counted as answers):
the export is k-anonymous in its profile columns, with k the suppression threshold. Other
rows carry "withheld" in every profile column. No row ever carries its weight, which is
a function of the combination and would give it away.
"""

from collections import Counter

from django.db.models import Max, Q

from .blocks import Question
from .models import Answer, SurveyWave

WITHHELD = "withheld (fewer than {threshold} in the wave gave these answers about themselves)"


def profile_combinations(
    waves: list[SurveyWave], profile_keys: list[str]
) -> Counter[tuple[int, tuple[str, ...]]]:
    """How many responses of each wave gave each combination of profile answers ('' for
    skipped). One query; responses that answered no profile question are not counted, as
    their profile columns are empty anyway."""
    pivot = {f"k{i}": Max("choice", filter=Q(question_key=k)) for i, k in enumerate(profile_keys)}
    rows = (
        Answer.objects.filter(wave__in=waves, question_key__in=profile_keys)
        .values("wave_id", "response_id")
        .annotate(**pivot)
        .order_by()
        .values_list("wave_id", *pivot)
    )
    return Counter((wave_id, tuple(c or "" for c in choices)) for wave_id, *choices in rows)


def raw_rows_profiles_protect(
    rows, *, header: list[str], waves: list[SurveyWave], questions: list[Question], threshold: int
):
    """``raw_responses`` rows with the profile columns of rare combinations withheld."""
    profile_keys = [q.key for q in questions if q.is_profile]
    if not profile_keys:
        yield from rows
        return
    # Counted by the wave's label as the export prints it: two waves the export cannot
    # tell apart are one crowd to hide in.
    label = {w.pk: f"{w.get_kind_display()}: {w.area.name}" for w in waves}
    combinations: Counter[tuple[str, tuple[str, ...]]] = Counter()
    for (wave_id, answers), n in profile_combinations(waves, profile_keys).items():
        combinations[(label[wave_id], answers)] += n
    columns = [header.index(k) for k in profile_keys]
    wording = [header.index(f"{k} (wording)") for k in profile_keys]
    withheld = WITHHELD.format(threshold=threshold)
    for row in rows:
        answers = tuple(row[i] for i in columns)
        if any(answers) and combinations[(row[0], answers)] < threshold:
            row = list(row)
            for i in columns + wording:
                row[i] = withheld
        yield row
