"""Demo survey for Eastfield: a baseline before Operation Lantern and a follow-up after,
each with a few hundred synthetic responses drawn with a fixed seed. Feeling safe after
dark really changes; how big a problem drugs are seen to be does not."""

import datetime
import random

from django.utils import timezone

from .models import Answer, Response, ResponseCode, SurveyPage, SurveyWave
from .question_bank import BANK, HOW_HEARD_OPTIONS, SCALES
from .services import response_codes_issue, wave_results_publish

SEED = 20260601
SLUG = "eastfield-residents-survey"
QUESTIONS = [{"type": "standard", "value": {"item": key, "required": True}} for key in BANK] + [
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
# Chance of a positive answer before and after, per standard question.
POSITIVE = {
    "safe_after_dark": (0.36, 0.52),  # a real change
    "drugs_problem": (0.30, 0.31),  # no change
    "confidence_police_council": (0.41, 0.45),
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


def _answers(rng: random.Random, phase: int, positive=None) -> dict[str, list[str] | str]:
    answers: dict[str, list[str] | str] = {}
    for key, odds in (positive or POSITIVE).items():
        scale = SCALES[BANK[key].scale]
        values = [v for v, _ in scale.options]
        positive = [v for v in values if v in scale.positive]
        others = [v for v in values if v not in scale.positive]
        if rng.random() < odds[phase]:
            answers[key] = [rng.choice(positive)]
        else:
            # "Don't know" (last) is rarer than the other answers.
            answers[key] = [rng.choices(others, weights=[5] * (len(others) - 1) + [1])[0]]
    answers["how_heard"] = [
        rng.choices([v for v, _ in HOW_HEARD_OPTIONS], weights=[6, 2, 1, 2, 1])[0]
    ]
    answers["one_thing"] = rng.choice(COMMENTS) if rng.random() < 0.3 else ""
    return answers


def _fill(wave: SurveyWave, count: int, rng: random.Random, phase: int, positive=None) -> None:
    if wave.responses.exists():
        return
    responses = Response.objects.bulk_create([Response(wave=wave) for _ in range(count)])
    rows = []
    for response in responses:
        for key, value in _answers(rng, phase, positive).items():
            if isinstance(value, str):
                if value:
                    rows.append(Answer(response=response, wave=wave, question_key=key, text=value))
            else:
                rows.extend(
                    Answer(response=response, wave=wave, question_key=key, choice=c) for c in value
                )
    Answer.objects.bulk_create(rows, batch_size=2000)
    wave_results_publish(wave=wave, on=min(wave.closes_on, timezone.localdate()))


def load(demo) -> None:
    survey = SurveyPage.objects.filter(slug=SLUG).first()
    if survey is None:
        survey = SurveyPage(title="Eastfield residents' survey", slug=SLUG, questions=QUESTIONS)
        demo.home.add_child(instance=survey)
        survey.save_revision().publish()
    area = demo.areas["eastfield"]
    operation = demo.operation
    start = operation.start_date
    today = timezone.localdate()
    baseline, _ = SurveyWave.objects.update_or_create(
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
    follow_up, _ = SurveyWave.objects.update_or_create(
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
    comparison_baseline, _ = SurveyWave.objects.update_or_create(
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
    comparison_follow_up, _ = SurveyWave.objects.update_or_create(
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
