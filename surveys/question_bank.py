"""Answer scales and the bank of standard perception questions.

The guide (section 9, "Collecting baseline measures") asks for the same questions before
and after an operation so the waves can be compared. Every answer has a fixed value (what is
stored and counted) and a label (what residents read); wording may change, values never do.
Each scale says which answers count as *positive* for the headline share: the share of
everyone who answered, "don't know" included, so waves compare on the same base.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scale:
    label: str
    options: tuple[tuple[str, str], ...]
    positive: frozenset[str]


DONT_KNOW = ("dont_know", _("Don't know"))

SCALES: dict[str, Scale] = {
    "agree": Scale(
        "Agree – disagree (5 points)",
        (
            ("strongly_agree", _("Strongly agree")),
            ("agree", _("Agree")),
            ("neither", _("Neither agree nor disagree")),
            ("disagree", _("Disagree")),
            ("strongly_disagree", _("Strongly disagree")),
            DONT_KNOW,
        ),
        positive=frozenset({"strongly_agree", "agree"}),
    ),
    "safety": Scale(
        "Very safe – very unsafe",
        (
            ("very_safe", _("Very safe")),
            ("fairly_safe", _("Fairly safe")),
            ("a_bit_unsafe", _("A bit unsafe")),
            ("very_unsafe", _("Very unsafe")),
            DONT_KNOW,
        ),
        positive=frozenset({"very_safe", "fairly_safe"}),
    ),
    "problem": Scale(
        "Very big problem – not a problem at all",
        (
            ("very_big", _("A very big problem")),
            ("fairly_big", _("A fairly big problem")),
            ("not_very_big", _("Not a very big problem")),
            ("not_a_problem", _("Not a problem at all")),
            DONT_KNOW,
        ),
        positive=frozenset({"not_very_big", "not_a_problem"}),
    ),
    "frequency": Scale(
        "How often",
        (
            ("weekly", _("At least once a week")),
            ("monthly", _("At least once a month")),
            ("less_often", _("Less often than once a month")),
            ("never", _("Never")),
            DONT_KNOW,
        ),
        positive=frozenset({"weekly", "monthly"}),
    ),
    "likelihood": Scale(
        "Very likely – not at all likely",
        (
            ("very_likely", _("Very likely")),
            ("fairly_likely", _("Fairly likely")),
            ("not_very_likely", _("Not very likely")),
            ("not_at_all_likely", _("Not at all likely")),
            DONT_KNOW,
        ),
        positive=frozenset({"very_likely", "fairly_likely"}),
    ),
    "yes_no": Scale(
        "Yes – no",
        (("yes", _("Yes")), ("no", _("No")), ("not_sure", _("Not sure"))),
        positive=frozenset({"yes"}),
    ),
}


@dataclass(frozen=True)
class BankItem:
    # Marked for translation; ``text`` and ``help_text`` are in the language active now.
    wording: str
    scale: str
    hint: str = ""

    @property
    def text(self) -> str:
        return str(self.wording)

    @property
    def help_text(self) -> str:
        return str(self.hint)


BANK: dict[str, BankItem] = {
    "safe_after_dark": BankItem(
        _("How safe do you feel walking alone in this area after dark?"), "safety"
    ),
    "drugs_problem": BankItem(
        _("How much of a problem are people using or dealing drugs in this area?"), "problem"
    ),
    "confidence_police_council": BankItem(
        _(
            "The police and the council deal with the crime and anti-social behaviour issues that "
            "matter in this area. How much do you agree?"
        ),
        "agree",
    ),
    "seeing_police": BankItem(
        _(
            "How often do you see police officers or police community support officers on foot "
            "in this area?"
        ),
        "frequency",
    ),
    "initiative_awareness": BankItem(
        _(
            "Before today, had you heard about the work police and partners are doing to close "
            "down drug dealing in this area?"
        ),
        "yes_no",
    ),
    "pass_on_information": BankItem(
        _(
            "If you knew something about drug dealing in this area, how likely would you be to "
            "pass it on to the police or to Crimestoppers?"
        ),
        "likelihood",
        hint=_("Crimestoppers never asks your name."),
    ),
}

HOW_HEARD_OPTIONS = (
    ("leaflet", _("A leaflet through my door")),
    ("sign", _("A sign in the street")),
    ("email", _("An email")),
    ("door_to_door", _("Someone called at my door")),
    ("other", _("Another way")),
)
