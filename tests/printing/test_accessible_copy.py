"""A run's accessible copy: one leaflet as a tagged PDF (PDF/UA-1) for screens, with
its language and title, text a screen reader can read, and no household's code."""

import io
import subprocess

import pikepdf
import pytest
from django.urls import reverse

from surveys.models import ResponseCode

from . import test_household_codes_access as household_access

household_run = household_access.household_run  # the fixture, shared

pytestmark = pytest.mark.django_db


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def test_the_accessible_copy_is_tagged_titled_readable_and_holds_no_household_code(
    client, neighbourhood_officer, household_run, leaflet_template
):
    client.force_login(neighbourhood_officer)
    detail = client.get(reverse("printing_admin:run", args=[household_run.pk])).content.decode()
    url = reverse("printing_admin:accessible", args=[household_run.pk])
    assert url in detail
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "accessible.pdf" in response["Content-Disposition"]
    with pikepdf.open(io.BytesIO(response.content)) as document:
        assert document.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in document.Root
        assert str(document.Root.Lang) == "en-GB"
        with document.open_metadata() as meta:
            assert meta["dc:title"].startswith(leaflet_template.headline)
    text = pdf_text(response.content)
    assert leaflet_template.headline in " ".join(text.split())
    codes = ResponseCode.objects.filter(print_run_id=household_run.pk)
    assert codes.count() == 2
    for code in codes:
        assert code.display not in text and code.code not in text


@pytest.mark.parametrize("who", ["anonymous", "no_role"])
def test_the_accessible_copy_is_refused_without_the_right_to_see_runs(
    client, django_user_model, household_run, who
):
    if who == "no_role":
        client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    response = client.get(reverse("printing_admin:accessible", args=[household_run.pk]))
    # Neither may enter the admin at all: both are sent to sign in, and get no PDF.
    assert response.status_code == 302 and "/login/" in response["Location"]
