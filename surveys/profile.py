"""Who answered: the profile questions a survey may end with, and the census categories
they line up with.

A letterbox survey is answered more by some residents than others. To weight a wave to
its area (``surveys.weighting``), Signpost asks a few optional questions whose answers
can be set against the area's Census 2021 figures. Each has a fixed key, its answers have
fixed values matching census categories, each offers "prefer not to say", none is ever
required, and they are always asked last, after a sentence saying why. Their answers are
stored like any other answer, with the anonymous response only.

The census tables each question lines up with are those Nomis publishes for Census 2021
(England and Wales), named in ``census_table``; ``population.census_import`` reads them.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

PREFER_NOT_TO_SAY = ("prefer_not_to_say", _("Prefer not to say"))

WHY_WE_ASK = _(
    "These last questions are optional. We ask them to check whether the people who "
    "answered are a fair mix of everyone who lives here, so that no group's views count "
    "for more than their share. Your answers stay with your anonymous response: never "
    "with a name or address, and published only as totals."
)


@dataclass(frozen=True)
class ProfileItem:
    # Marked for translation; ``text`` is it in the language active now.
    wording: str
    options: tuple[tuple[str, str], ...]  # without "prefer not to say"
    # Who the census figures count, as the page and the population check say it.
    base: str
    census_table: str

    @property
    def text(self) -> str:
        return str(self.wording)

    @property
    def all_options(self) -> tuple[tuple[str, str], ...]:
        return self.options + (PREFER_NOT_TO_SAY,)

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.options)

    def label_for(self, value: str) -> str:
        return str(dict(self.all_options).get(value, value))


RESIDENTS_16_PLUS = "usual residents aged 16 and over"
ALL_RESIDENTS = "all usual residents"
HOUSEHOLDS = "households"

PROFILE: dict[str, ProfileItem] = {
    "profile_age": ProfileItem(
        _("How old are you?"),
        (
            ("16_24", _("16 to 24")),
            ("25_34", _("25 to 34")),
            ("35_49", _("35 to 49")),
            ("50_64", _("50 to 64")),
            ("65_plus", _("65 or over")),
        ),
        base=RESIDENTS_16_PLUS,
        census_table="TS007A Age by five-year age bands",
    ),
    "profile_sex": ProfileItem(
        _("What is your sex?"),
        (("female", _("Female")), ("male", _("Male"))),
        base=ALL_RESIDENTS,
        census_table="TS008 Sex",
    ),
    "profile_tenure": ProfileItem(
        _("Does your household own or rent your home?"),
        (
            ("owned", _("Owns it, outright, with a mortgage or in shared ownership")),
            ("social_rented", _("Rents from the council or a housing association")),
            ("private_rented", _("Rents from a private landlord, or lives rent free")),
        ),
        base=HOUSEHOLDS,
        census_table="TS054 Tenure",
    ),
    "profile_ethnic_group": ProfileItem(
        _("What is your ethnic group?"),
        (
            ("asian", _("Asian, Asian British or Asian Welsh")),
            ("black", _("Black, Black British, Black Welsh, Caribbean or African")),
            ("mixed", _("Mixed or Multiple ethnic groups")),
            ("white", _("White")),
            ("other", _("Another ethnic group")),
        ),
        base=ALL_RESIDENTS,
        census_table="TS021 Ethnic group",
    ),
}

PROFILE_CHOICES = [(key, key.removeprefix("profile_").replace("_", " ")) for key in PROFILE]


def is_profile_key(key: str) -> bool:
    return key in PROFILE
