"""Survey pages and waves for tests: a small real survey, built as the admin would."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from signpost.models import HomePage

from surveys.models import SurveyPage, SurveyWave
from tests.factories import AreaFactory

STANDARD_QUESTIONS = [
    {"type": "standard", "value": {"item": "safe_after_dark", "required": True}},
    {"type": "standard", "value": {"item": "drugs_problem", "required": True}},
    {
        "type": "multiple_choice",
        "value": {
            "key": "seen_changes",
            "text": "What have you noticed in the last three months?",
            "help_text": "",
            "required": False,
            "options": [
                {"value": "less_dealing", "label": "Less dealing", "positive": True},
                {"value": "more_police", "label": "More police", "positive": False},
                {"value": "cleaner", "label": "Cleaner streets", "positive": False},
            ],
        },
    },
    {
        "type": "free_text",
        "value": {
            "key": "one_thing",
            "text": "What one thing would make this area better?",
            "help_text": "",
            "required": False,
            "max_length": 300,
        },
    },
    {
        "type": "how_heard",
        "value": {
            "key": "how_heard",
            "text": "How did you hear about this survey?",
            "required": False,
        },
    },
]


def survey_page_create(*, title="Eastfield residents' survey", questions=None, parent=None):
    parent = parent or HomePage.objects.get()
    page = SurveyPage(title=title, questions=questions or STANDARD_QUESTIONS)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


class SurveyWaveFactory(DjangoModelFactory):
    class Meta:
        model = SurveyWave

    survey = factory.LazyFunction(survey_page_create)
    kind = SurveyWave.BASELINE
    area = factory.SubFactory(AreaFactory)
    slug = factory.Sequence(lambda n: f"wave-{n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=21))
