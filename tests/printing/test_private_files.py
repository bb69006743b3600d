"""Private files (household leaflet PDFs, progress reports) are kept in the private
storage, have no public address, and reach a browser only through permission checks."""

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings
from django.urls import reverse
from signpost.storage import PrivateFileSystemStorage

from printing.models import PrintRun
from reports.models import ProgressReport
from tests.surveys.factories import SurveyWaveFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def private_folder(tmp_path, settings):
    """A real folder for private files and another for public media, as deployed."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "private": {
            "BACKEND": "signpost.storage.PrivateFileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }
    return tmp_path


@pytest.fixture
def household_run(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    private_folder,
):
    wave = SurveyWaveFactory(area=area, operation=operation, slug="canal-before")
    client.force_login(neighbourhood_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("printing_admin:create"),
            {
                "create": "1",
                "operation": operation.pk,
                "area": area.pk,
                "template": leaflet_template.pk,
                "format": "a5_leaflet_1",
                "quantity": 2,
                "per_household": "on",
                "qr_target": "survey",
                "survey_wave": wave.pk,
            },
        )
    client.logout()
    run = PrintRun.objects.get()
    assert run.status == PrintRun.Status.READY
    return run


def test_a_household_pdf_is_written_outside_the_public_media_folder(household_run, private_folder):
    media = private_folder / "media"
    assert not [p for p in media.rglob("*") if p.is_file()]
    assert not default_storage.exists(household_run.pdf.name)
    assert (private_folder / "private" / household_run.pdf.name).is_file()
    with pytest.raises(ValueError, match="no public address"):
        _ = household_run.pdf.url


@pytest.mark.parametrize("path", ["/media/{name}", "/media/print-runs/", "/private/{name}"])
@override_settings(DEBUG=True)
def test_no_public_address_serves_it(client, household_run, path):
    assert client.get(path.format(name=household_run.pdf.name)).status_code == 404


def test_only_staff_who_may_open_it_download_it(
    client, household_run, neighbourhood_officer, partner_viewer, comms_officer
):
    url = reverse("printing_admin:download", args=[household_run.pk])
    assert client.get(url).status_code == 302  # anonymous: to the sign-in page
    client.force_login(partner_viewer)
    assert client.get(url).status_code in (302, 403)
    client.force_login(comms_officer)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_an_issued_report_is_kept_privately(private_folder, comms_officer):
    from reports.services import report_issue

    report = ProgressReport.objects.create(
        title="Report", period_start="2026-01-01", period_end="2026-01-31", commentary="Fine."
    )
    report = report_issue(report=report, user=comms_officer)
    assert isinstance(report.pdf.storage._wrapped, PrivateFileSystemStorage)
    assert (private_folder / "private" / report.pdf.name).is_file()
    assert not default_storage.exists(report.pdf.name)


def test_files_written_before_are_moved_out_of_public_media(private_folder, household_run):
    from django.core.files.base import ContentFile
    from signpost.storage import files_move_to_private

    name = default_storage.save("print-runs/old.pdf", ContentFile(b"%PDF-old"))
    PrintRun.objects.filter(pk=household_run.pk).update(pdf=name)
    assert files_move_to_private(PrintRun) == 1
    assert not default_storage.exists(name)
    household_run.refresh_from_db()
    assert household_run.pdf.read() == b"%PDF-old"
