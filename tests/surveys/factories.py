"""Survey pages and waves for tests: a small real survey, built as the admin would."""

import datetime

import factory
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from factory.django import DjangoModelFactory
from signpost.models import HomePage
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

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


def site_root_page():
    """The default site's home page; after a transactional test has emptied the database,
    a fresh root, home page and site."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site:
        return site.root_page
    ContentType.objects.clear_cache()
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(instance=HomePage(title="Safer Harbridge", slug="safer-harbridge"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return home


def survey_page_create(*, title="Eastfield residents' survey", questions=None, parent=None):
    parent = parent or site_root_page()
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


def responses_add(
    wave, answers_by_key: dict[str, dict[str, int]], *, total: int | None = None, publish=True
):
    """Add anonymous responses in bulk: for each key, how many responses chose each answer,
    then publish the wave's results (when enough have arrived since the last time).

    Responses are numbered 0..total−1 and each key's answers are handed out in order, so a
    key whose counts add up to less than the total is left unanswered by the rest.
    """
    from surveys.models import Answer, Response
    from surveys.services import wave_results_publish

    total = total or max(sum(c.values()) for c in answers_by_key.values())
    responses = Response.objects.bulk_create([Response(wave=wave) for _ in range(total)])
    rows = []
    for key, counts in answers_by_key.items():
        index = 0
        for choice, n in counts.items():
            for response in responses[index : index + n]:
                rows.append(Answer(response=response, wave=wave, question_key=key, choice=choice))
            index += n
    Answer.objects.bulk_create(rows)
    if publish:
        wave_results_publish(wave=wave)
    return responses
