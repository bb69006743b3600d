"""Profile answers in the raw export, without letting a combination single out a household.

The raw export lists each anonymous response on its own row. Age band, sex, tenure and
ethnic group are each harmless, but together, in a small area, they can point to one
household ("the only Black woman over 65 who rents privately on the estate"). So a row
shows its profile answers only when at least ``threshold`` responses of the same wave
gave the same combination of them (skipped and "prefer not to say" counted as answers):
the export is k-anonymous in its profile columns, with k the suppression threshold. Other
rows carry "withheld" in every profile column. No row ever carries its weight, which is
a function of the combination and would give it away.

The language a response was given in is one more such attribute: a row shows it only
when at least ``threshold`` responses of the same wave were given in that language
(otherwise "withheld"), and the profile combinations above are counted together with the
language as the row shows it, so a common profile cannot be narrowed by a rare language.
"""

from collections import Counter

from django.db.models import Count, Max, Q

from .blocks import Question
from .models import Answer, Response, SurveyWave

WITHHELD = "withheld (fewer than {threshold} in the wave gave these answers about themselves)"
LANGUAGE_WITHHELD = "withheld (fewer than {threshold} in the wave answered in this language)"


def profile_combinations(
    waves: list[SurveyWave], profile_keys: list[str]
) -> Counter[tuple[int, str, tuple[str, ...]]]:
    """How many responses of each wave, in each language, gave each combination of
    profile answers ('' for skipped). One query; responses that answered no profile
    question are not counted, as their profile columns are empty anyway."""
    pivot = {f"k{i}": Max("choice", filter=Q(question_key=k)) for i, k in enumerate(profile_keys)}
    rows = (
        Answer.objects.filter(wave__in=waves, question_key__in=profile_keys)
        .values("wave_id", "response_id", "response__language")
        .annotate(**pivot)
        .order_by()
        .values_list("wave_id", "response__language", *pivot)
    )
    return Counter(
        (wave_id, language, tuple(c or "" for c in choices)) for wave_id, language, *choices in rows
    )


def language_counts(waves: list[SurveyWave]) -> Counter[tuple[int, str]]:
    """How many responses of each wave were given in each language. One query."""
    return Counter(
        {
            (wave_id, language): n
            for wave_id, language, n in Response.objects.filter(wave__in=waves)
            .values_list("wave_id", "language")
            .annotate(n=Count("id"))
            .order_by()
        }
    )


def raw_rows_profiles_protect(
    rows, *, header: list[str], waves: list[SurveyWave], questions: list[Question], threshold: int
):
    """``raw_responses`` rows with a rare language withheld, and the profile columns of
    rare combinations (with the language as shown) withheld."""
    # Counted by the wave's label as the export prints it: two waves the export cannot
    # tell apart are one crowd to hide in.
    label = {w.pk: f"{w.get_kind_display()}: {w.area.name}" for w in waves}
    by_language: Counter[tuple[str, str]] = Counter()
    for (wave_id, language), n in language_counts(waves).items():
        by_language[(label[wave_id], language)] += n
    language_withheld = LANGUAGE_WITHHELD.format(threshold=threshold)

    def language_shown(wave_label: str, language: str) -> str:
        if by_language[(wave_label, language)] < threshold:
            return language_withheld
        return language

    language_column = header.index("language")
    profile_keys = [q.key for q in questions if q.is_profile]
    combinations: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    for (wave_id, language, answers), n in profile_combinations(waves, profile_keys).items():
        wave_label = label[wave_id]
        combinations[(wave_label, language_shown(wave_label, language), answers)] += n
    columns = [header.index(k) for k in profile_keys]
    wording = [header.index(f"{k} (wording)") for k in profile_keys]
    withheld = WITHHELD.format(threshold=threshold)
    for row in rows:
        row = list(row)
        row[language_column] = language_shown(row[0], row[language_column])
        answers = tuple(row[i] for i in columns)
        if any(answers) and combinations[(row[0], row[language_column], answers)] < threshold:
            for i in columns + wording:
                row[i] = withheld
        yield row
