"""One layout decides whether a run fits: the form's check, its preview and the PDF.

The page a survey QR code is printed on also says how long the survey is ("This survey
has 8 questions…"); the check that decides the type scale lays that out too, so a run the
form accepts prints, and one that cannot fit is refused before anything is recorded."""

import pytest
from django.urls import reverse

from printing.demo import TEMPLATES
from printing.models import PrintRun, PrintTemplate
from surveys.models import ResponseCode, SurveyPage
from tests.surveys.factories import SurveyWaveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_leaflet(db):
    """The demo initiative's operation leaflet."""
    return PrintTemplate.objects.create(**TEMPLATES[0])


@pytest.fixture
def wave(area, operation):
    return SurveyWaveFactory(area=area, operation=operation, slug="canal-before")


def fields(operation, area, template, wave, **extra):
    return {
        "operation": operation.pk,
        "area": area.pk,
        "template": template.pk,
        "format": "a5_leaflet_1",
        "quantity": 3,
        "per_household": "on",
        "qr_target": "survey",
        "survey_wave": wave.pk,
        **extra,
    }


def test_what_the_form_accepts_for_an_a5_household_leaflet_prints_on_one_page(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    demo_leaflet,
    wave,
):
    client.force_login(neighbourhood_officer)
    data = fields(operation, area, demo_leaflet, wave)
    preview = client.post(reverse("printing_admin:create"), {**data, "preview": "1"})
    assert preview.status_code == 200 and wave.survey.specific.length_text in (
        preview.content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(reverse("printing_admin:create"), {**data, "create": "1"})
    assert created.status_code == 302
    run = PrintRun.objects.get()
    assert (run.status, run.page_count) == (PrintRun.Status.READY, 3), run.error


def test_a_survey_line_that_does_not_fit_is_refused_by_the_form_and_the_preview_alike(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    demo_leaflet,
    wave,
    monkeypatch,
):
    monkeypatch.setattr(
        SurveyPage, "length_text", property(lambda self: "A very long survey. " * 60)
    )
    client.force_login(neighbourhood_officer)
    data = fields(operation, area, demo_leaflet, wave)
    preview = client.post(reverse("printing_admin:create"), {**data, "preview": "1"})
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(reverse("printing_admin:create"), {**data, "create": "1"})
    refusal = "The text is too long for an A5 leaflet"
    assert refusal in preview.content.decode()
    assert refusal in created.content.decode()
    assert not PrintRun.objects.exists() and not ResponseCode.objects.exists()
    wave.refresh_from_db()
    assert not wave.requires_code
