"""Demo survey for Eastfield: a baseline before Operation Lantern and a follow-up after,
each with a few hundred synthetic responses drawn with a fixed seed. Feeling safe after
dark really changes; how big a problem drugs are seen to be does not.

Respondents also say who they are, and the two areas carry (fictional) census margins, so
the comparison shows weighted figures out of the box. As letterbox surveys are, the
baseline is answered mostly by older owner-occupiers and the follow-up (household
leaflets and door knocking) by a younger mix with more renters; since views differ by age
and tenure, part of the unweighted change is only a change in who answered.
"""

import datetime
import random

from django.utils import timezone
from signpost.page_translations import translate_page
from wagtail.models import Locale

from .models import (
    Answer,
    PopulationCount,
    PopulationMargins,
    Response,
    ResponseCode,
    SurveyPage,
    SurveyWave,
)
from .profile import PREFER_NOT_TO_SAY, PROFILE
from .question_bank import BANK, HOW_HEARD_OPTIONS, SCALES
from .services import response_codes_issue, wave_results_publish

SEED = 20260601
SLUG = "eastfield-residents-survey"
QUESTIONS = (
    [{"type": "standard", "value": {"item": key, "required": True}} for key in BANK]
    + [
        {
            "type": "how_heard",
            "value": {
                "key": "how_heard",
                "text": "How did you hear about this survey?",
                "required": False,
            },
        },
        {
            "type": "free_text",
            "value": {
                "key": "one_thing",
                "text": "What one thing would make your street better?",
                "help_text": "",
                "required": False,
                "max_length": 500,
            },
        },
    ]
    + [{"type": "profile", "value": {"item": key}} for key in PROFILE]
)
# Chance of a positive answer before and after, per standard question.
POSITIVE = {
    "safe_after_dark": (0.36, 0.52),  # a real change
    "drugs_problem": (0.30, 0.31),  # no change
    "confidence_police_council": (0.38, 0.47),  # masked by who answered, unweighted
    "seeing_police": (0.22, 0.34),
    "initiative_awareness": (0.18, 0.47),
    "pass_on_information": (0.55, 0.58),
}
COMMENTS = [
    "Better lighting on the path behind the parade.",
    "Clear the needles from the garages on Larch Close.",
    "More police on foot in the evening.",
    "Keep the youth club open later.",
    "",
]


# In Northgate, the comparison area, feeling safe rises a little anyway.
COMPARISON_POSITIVE = {
    "safe_after_dark": (0.38, 0.42),
    "drugs_problem": (0.33, 0.33),
    "confidence_police_council": (0.43, 0.44),
    "seeing_police": (0.25, 0.26),
    "initiative_awareness": (0.10, 0.12),
    "pass_on_information": (0.56, 0.57),
}


# The areas' populations (fictional, in the shape of Census 2021 tables): residents aged 16
# and over by age, all residents by sex and ethnic group, households by tenure.
POPULATION = {
    "eastfield": {
        "profile_age": {"16_24": 610, "25_34": 720, "35_49": 880, "50_64": 860, "65_plus": 730},
        "profile_sex": {"female": 2430, "male": 2330},
        "profile_tenure": {"owned": 820, "social_rented": 880, "private_rented": 440},
        "profile_ethnic_group": {
            "asian": 520, "black": 260, "mixed": 190, "white": 3690, "other": 100,
        },
    },
    "northgate": {
        "profile_age": {"16_24": 750, "25_34": 900, "35_49": 760, "50_64": 560, "65_plus": 430},
        "profile_sex": {"female": 2020, "male": 2080},
        "profile_tenure": {"owned": 560, "social_rented": 620, "private_rented": 690},
        "profile_ethnic_group": {
            "asian": 600, "black": 330, "mixed": 200, "white": 2850, "other": 120,
        },
    },
}  # fmt: skip
# Who answers, by wave (0 baseline, 1 follow-up): how much likelier than their share of
# the area each answer's holders are to respond, in each question's answer order.
RESPONSE_PROPENSITY = {
    0: {
        "profile_age": (0.45, 0.65, 0.95, 1.3, 1.8),
        "profile_sex": (1.2, 0.8),
        "profile_tenure": (1.6, 0.7, 0.6),
        "profile_ethnic_group": (0.7, 0.6, 0.8, 1.05, 0.8),
    },
    1: {
        "profile_age": (0.9, 0.95, 1.0, 1.05, 1.1),
        "profile_sex": (1.1, 0.9),
        "profile_tenure": (1.15, 1.0, 0.75),
        "profile_ethnic_group": (0.9, 0.9, 1.0, 1.0, 1.0),
    },
}
# Share of respondents choosing "prefer not to say", or skipping, per profile question.
NOT_SAID = {
    "profile_age": 0.05,
    "profile_sex": 0.03,
    "profile_tenure": 0.07,
    "profile_ethnic_group": 0.08,
}
# How views differ by who holds them: added to the chance of a positive answer.
VIEWS_BY_PROFILE = {
    "safe_after_dark": {"16_24": 0.10, "25_34": 0.06, "65_plus": -0.12, "social_rented": -0.05},
    "confidence_police_council": {
        "16_24": -0.14, "25_34": -0.08, "65_plus": 0.12, "owned": 0.10, "private_rented": -0.08,
    },
    "seeing_police": {"65_plus": 0.06, "16_24": -0.05},
    "pass_on_information": {"16_24": -0.12, "65_plus": 0.10, "owned": 0.06},
}  # fmt: skip


def _profile(rng: random.Random, phase: int, area: str) -> dict[str, str]:
    profile = {}
    for key, item in PROFILE.items():
        if rng.random() < NOT_SAID[key]:
            if rng.random() < 0.5:
                profile[key] = PREFER_NOT_TO_SAY[0]
            continue
        population = POPULATION[area][key]
        weights = [
            population[value] * propensity
            for value, propensity in zip(
                item.categories, RESPONSE_PROPENSITY[phase][key], strict=True
            )
        ]
        profile[key] = rng.choices(item.categories, weights=weights)[0]
    return profile


def _answers(
    rng: random.Random, phase: int, positive=None, area: str = "eastfield"
) -> dict[str, list[str] | str]:
    answers: dict[str, list[str] | str] = {}
    profile = _profile(rng, phase, area)
    for key, odds in (positive or POSITIVE).items():
        scale = SCALES[BANK[key].scale]
        values = [v for v, _ in scale.options]
        positive = [v for v in values if v in scale.positive]
        others = [v for v in values if v not in scale.positive]
        shift = sum(VIEWS_BY_PROFILE.get(key, {}).get(v, 0) for v in profile.values())
        if rng.random() < odds[phase] + shift:
            answers[key] = [rng.choice(positive)]
        else:
            # "Don't know" (last) is rarer than the other answers.
            answers[key] = [rng.choices(others, weights=[5] * (len(others) - 1) + [1])[0]]
    answers["how_heard"] = [
        rng.choices([v for v, _ in HOW_HEARD_OPTIONS], weights=[6, 2, 1, 2, 1])[0]
    ]
    answers["one_thing"] = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
    answers.update({key: [value] for key, value in profile.items()})
    return answers


def _population(demo) -> None:
    """Each demo area's census margins, made once: an analyst's edits are kept."""
    for slug, margins in POPULATION.items():
        population, created = PopulationMargins.objects.get_or_create(
            area=demo.areas[slug],
            defaults={"source": "Census 2021 (Nomis): TS007A, TS008, TS054, TS021 (demo figures)"},
        )
        if created:
            PopulationCount.objects.bulk_create(
                PopulationCount(margins=population, profile_key=key, category=c, count=n)
                for key, counts in margins.items()
                for c, n in counts.items()
            )


# Of every hundred responses, how many were given in Welsh and in Urdu: enough in the
# follow-up for the comparison's breakdown by language to show them, too few Urdu answers
# in the baseline, so that breakdown shows a suppressed cell.
LANGUAGE_SHARES = {"eastfield-before": {"cy": 4, "ur": 2}, "eastfield-after": {"cy": 8, "ur": 5}}


def _language(rng: random.Random, slug: str) -> str:
    shares = LANGUAGE_SHARES.get(slug, {})
    draw = rng.randrange(100)
    for code, share in shares.items():
        if draw < share:
            return code
        draw -= share
    return "en-gb"


def _fill(wave: SurveyWave, count: int, rng: random.Random, phase: int, positive=None) -> None:
    if wave.responses.exists():
        return
    # Its own generator, so the answers drawn below are those of every earlier demo.
    languages = random.Random(f"{SEED}-{wave.slug}")
    responses = Response.objects.bulk_create(
        [Response(wave=wave, language=_language(languages, wave.slug)) for _ in range(count)]
    )
    rows = []
    for response in responses:
        for key, value in _answers(rng, phase, positive, wave.area.slug).items():
            if isinstance(value, str):
                if value:
                    rows.append(Answer(response=response, wave=wave, question_key=key, text=value))
            else:
                rows.extend(
                    Answer(response=response, wave=wave, question_key=key, choice=c) for c in value
                )
    Answer.objects.bulk_create(rows, batch_size=2000)
    wave_results_publish(wave=wave, on=min(wave.closes_on, timezone.localdate()))


TITLE = "Harbridge residents' survey"
EARLIER_TITLE = "Eastfield residents' survey"


def load(demo) -> None:
    survey = SurveyPage.objects.filter(slug=SLUG).first()
    if survey is None:
        survey = SurveyPage(title=TITLE, slug=SLUG, questions=QUESTIONS)
        demo.home.add_child(instance=survey)
        survey.save_revision().publish()
    elif survey.title == EARLIER_TITLE:
        # One survey runs in Eastfield and in Northgate: a title naming one area had
        # Northgate's page invite residents to "the Eastfield residents' survey".
        survey.title = survey.draft_title = TITLE
        survey.save_revision().publish()
    area = demo.areas["eastfield"]
    operation = demo.operation
    start = operation.start_date
    today = timezone.localdate()
    baseline, _ = SurveyWave.objects.get_or_create(
        slug="eastfield-before",
        defaults={
            "survey": survey,
            "kind": SurveyWave.BASELINE,
            "area": area,
            "operation": operation,
            "opens_on": start - datetime.timedelta(days=35),
            "closes_on": start - datetime.timedelta(days=7),
        },
    )
    follow_up, _ = SurveyWave.objects.get_or_create(
        slug="eastfield-after",
        defaults={
            "survey": survey,
            "kind": SurveyWave.FOLLOW_UP,
            "area": area,
            "operation": operation,
            "opens_on": today - datetime.timedelta(days=21),
            "closes_on": today + datetime.timedelta(days=14),
        },
    )
    # Northgate: the same survey over the same weeks, where no operation ran.
    comparison_area = demo.areas["northgate"]
    comparison_baseline, _ = SurveyWave.objects.get_or_create(
        slug="northgate-before",
        defaults={
            "survey": survey,
            "kind": SurveyWave.BASELINE,
            "area": comparison_area,
            "operation": None,
            "opens_on": baseline.opens_on,
            "closes_on": baseline.closes_on,
        },
    )
    comparison_follow_up, _ = SurveyWave.objects.get_or_create(
        slug="northgate-after",
        defaults={
            "survey": survey,
            "kind": SurveyWave.FOLLOW_UP,
            "area": comparison_area,
            "operation": None,
            "opens_on": follow_up.opens_on,
            "closes_on": follow_up.closes_on,
        },
    )
    _translate(survey)
    _population(demo)
    rng = random.Random(SEED)
    _fill(baseline, 420, rng, 0)
    _fill(follow_up, 380, rng, 1)
    _fill(comparison_baseline, 310, rng, 0, COMPARISON_POSITIVE)
    _fill(comparison_follow_up, 290, rng, 1, COMPARISON_POSITIVE)
    if not ResponseCode.objects.filter(wave=follow_up).exists():
        response_codes_issue(wave=follow_up, count=200)
    demo.say(
        f"Survey '{survey.title}': baseline {baseline.responses.count()} and follow-up "
        f"{follow_up.responses.count()} responses; compare at /admin/surveys/compare/"
        f"{baseline.pk}/{follow_up.pk}/?comparison_baseline={comparison_baseline.pk}"
        f"&comparison_follow_up={comparison_follow_up.pk}"
    )


# The survey's own words in Welsh and Urdu, by the English they translate (demonstration
# translations: have a fluent speaker check them before relying on them). The bank's
# questions and answers are translated in surveys/locale.
TRANSLATIONS = {
    "cy": {
        TITLE: "Arolwg trigolion Harbridge",
        SLUG: "arolwg-trigolion",
        "It is anonymous: we do not ask for your name, and we do not record your email or "
        "internet address.": "Mae'n ddienw: nid ydym yn gofyn am eich enw, ac nid ydym yn "
        "cofnodi eich e-bost na'ch cyfeiriad rhyngrwyd.",
        "How did you hear about this survey?": "Sut glywsoch chi am yr arolwg hwn?",
        "What one thing would make your street better?": "Beth yw'r un peth a fyddai'n "
        "gwella eich stryd?",
        "Thank you. Your answers help us see whether things are getting better.": "Diolch. "
        "Mae eich atebion yn ein helpu i weld a yw pethau'n gwella.",
        "This survey is not open at the moment. Thank you for wanting to take part.": "Nid "
        "yw'r arolwg hwn ar agor ar hyn o bryd. Diolch am fod eisiau cymryd rhan.",
    },
    "ur": {
        TITLE: "ہاربرج کے رہائشیوں کا سروے",
        SLUG: "residents-survey-ur",
        "It is anonymous: we do not ask for your name, and we do not record your email or "
        "internet address.": "یہ گمنام ہے: ہم آپ کا نام نہیں پوچھتے، اور آپ کا ای میل یا "
        "انٹرنیٹ ایڈریس محفوظ نہیں کرتے۔",
        "How did you hear about this survey?": "آپ نے اس سروے کے بارے میں کیسے سنا؟",
        "What one thing would make your street better?": "کون سی ایک چیز آپ کی گلی کو بہتر "
        "بنائے گی؟",
        "Thank you. Your answers help us see whether things are getting better.": "شکریہ۔ "
        "آپ کے جوابات سے ہمیں پتہ چلتا ہے کہ حالات بہتر ہو رہے ہیں یا نہیں۔",
        "This survey is not open at the moment. Thank you for wanting to take part.": "یہ "
        "سروے اس وقت کھلا نہیں ہے۔ حصہ لینے کی خواہش کا شکریہ۔",
    },
}


def _translate(survey: SurveyPage) -> None:
    """The survey in Welsh and Urdu, made as an editor makes them in Translations
    (wagtail-localize): the source's text sent segment by segment, each translated, and
    the translation published. Its keys are the survey's, so every language's answers are
    counted together. Create-only: an existing translation is left as it is."""
    for code, strings in TRANSLATIONS.items():
        locale, _ = Locale.objects.get_or_create(language_code=code)
        if survey.get_translation_or_none(locale) is None:
            translate_page(survey, code, strings)
