"""Answer scales and the bank of standard perception questions.

The guide (section 9, "Collecting baseline measures") asks for the same questions before
and after an operation so the waves can be compared. Every answer has a fixed value (what is
stored and counted) and a label (what residents read); wording may change, values never do.
Each scale says which answers count as *positive* for the headline share: the share of
everyone who answered, "don't know" included, so waves compare on the same base.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    label: str
    options: tuple[tuple[str, str], ...]
    positive: frozenset[str]


DONT_KNOW = ("dont_know", "Don't know")

SCALES: dict[str, Scale] = {
    "agree": Scale(
        "Agree – disagree (5 points)",
        (
            ("strongly_agree", "Strongly agree"),
            ("agree", "Agree"),
            ("neither", "Neither agree nor disagree"),
            ("disagree", "Disagree"),
            ("strongly_disagree", "Strongly disagree"),
            DONT_KNOW,
        ),
        positive=frozenset({"strongly_agree", "agree"}),
    ),
    "safety": Scale(
        "Very safe – very unsafe",
        (
            ("very_safe", "Very safe"),
            ("fairly_safe", "Fairly safe"),
            ("a_bit_unsafe", "A bit unsafe"),
            ("very_unsafe", "Very unsafe"),
            DONT_KNOW,
        ),
        positive=frozenset({"very_safe", "fairly_safe"}),
    ),
    "problem": Scale(
        "Very big problem – not a problem at all",
        (
            ("very_big", "A very big problem"),
            ("fairly_big", "A fairly big problem"),
            ("not_very_big", "Not a very big problem"),
            ("not_a_problem", "Not a problem at all"),
            DONT_KNOW,
        ),
        positive=frozenset({"not_very_big", "not_a_problem"}),
    ),
    "frequency": Scale(
        "How often",
        (
            ("weekly", "At least once a week"),
            ("monthly", "At least once a month"),
            ("less_often", "Less often than once a month"),
            ("never", "Never"),
            DONT_KNOW,
        ),
        positive=frozenset({"weekly", "monthly"}),
    ),
    "likelihood": Scale(
        "Very likely – not at all likely",
        (
            ("very_likely", "Very likely"),
            ("fairly_likely", "Fairly likely"),
            ("not_very_likely", "Not very likely"),
            ("not_at_all_likely", "Not at all likely"),
            DONT_KNOW,
        ),
        positive=frozenset({"very_likely", "fairly_likely"}),
    ),
    "yes_no": Scale(
        "Yes – no",
        (("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")),
        positive=frozenset({"yes"}),
    ),
}


@dataclass(frozen=True)
class BankItem:
    text: str
    scale: str
    help_text: str = ""


BANK: dict[str, BankItem] = {
    "safe_after_dark": BankItem(
        "How safe do you feel walking alone in this area after dark?", "safety"
    ),
    "drugs_problem": BankItem(
        "How much of a problem are people using or dealing drugs in this area?", "problem"
    ),
    "confidence_police_council": BankItem(
        "The police and the council deal with the crime and anti-social behaviour issues that "
        "matter in this area. How much do you agree?",
        "agree",
    ),
    "seeing_police": BankItem(
        "How often do you see police officers or police community support officers on foot "
        "in this area?",
        "frequency",
    ),
    "initiative_awareness": BankItem(
        "Before today, had you heard about the work police and partners are doing to close "
        "down drug dealing in this area?",
        "yes_no",
    ),
    "pass_on_information": BankItem(
        "If you knew something about drug dealing in this area, how likely would you be to "
        "pass it on to the police or to Crimestoppers?",
        "likelihood",
        help_text="Crimestoppers never asks your name.",
    ),
}

HOW_HEARD_OPTIONS = (
    ("leaflet", "A leaflet through my door"),
    ("sign", "A sign in the street"),
    ("email", "An email"),
    ("door_to_door", "Someone called at my door"),
    ("other", "Another way"),
)
