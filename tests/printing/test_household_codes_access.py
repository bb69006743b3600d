"""Household leaflets carry unused single-use survey codes: only the staff who print runs
or issue codes may download or preview them. Partner viewers and analysts who may list
runs see the run, never its codes."""

import pytest
from django.urls import reverse

from printing import services
from printing.models import PrintRun
from tests.surveys.factories import SurveyWaveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def household_run(
    initiative,
    operation,
    area,
    leaflet_template,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
):
    wave = SurveyWaveFactory(area=area, operation=operation, slug="canal-before")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.print_run_create(
            user=neighbourhood_officer,
            operation=operation,
            area=area,
            template=leaflet_template,
            format="a5_leaflet_2",
            quantity=2,
            per_household=True,
            qr_target="survey",
            survey_wave=wave,
        )
    run.refresh_from_db()
    assert run.status == PrintRun.Status.READY
    return run


def refused(response) -> bool:
    """The admin answers a refusal with 403, or by sending the user to the dashboard."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


def doors(run):
    return {
        "download": reverse("printing_admin:download", args=[run.pk]),
        "preview": reverse("printing_admin:preview", args=[run.pk]),
    }


@pytest.mark.parametrize("role", ["partner_viewer"])
def test_partner_viewers_cannot_open_household_leaflets(client, request, household_run, role):
    client.force_login(request.getfixturevalue(role))
    for name, url in doors(household_run).items():
        assert refused(client.get(url)), name
    detail = client.get(reverse("printing_admin:run", args=[household_run.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert doors(household_run)["download"] not in html
    assert "single-use survey codes" in html
    status = client.get(reverse("printing_admin:status", args=[household_run.pk])).json()
    assert status["download_url"] is None


@pytest.mark.parametrize(
    "role", ["neighbourhood_officer", "comms_officer", "approver", "analyst", "superuser"]
)
def test_staff_who_print_or_issue_codes_open_them(client, request, household_run, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get(doors(household_run)["download"]).status_code == 200
    assert client.get(doors(household_run)["preview"]).status_code == 200
