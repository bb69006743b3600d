"""A published newsletter prints as a leaflet through the same pipeline."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from printing.models import PrintRun, ShortLink
from tests.newsletters.factories import make_newsletter

from .conftest import decode_qr_codes
from .forms import run_create

pytestmark = pytest.mark.django_db


def test_a_newsletter_prints_as_a_two_sided_a4_leaflet_with_its_qr_code(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    update_page,
):
    newsletter = make_newsletter(title="Canal Quarter update", area=area)
    client.force_login(neighbourhood_officer)
    response = run_create(
        client,
        django_capture_on_commit_callbacks,
        operation=operation.pk,
        area=area.pk,
        newsletter=newsletter.pk,
        format="a4_leaflet_2",
        quantity=800,
        qr_target="page",
        target_page=update_page.pk,
    )
    assert response.status_code == 302
    run = PrintRun.objects.get()
    assert run.newsletter_id == newsletter.pk and run.template is None
    pdf = b"".join(client.get(reverse("printing_admin:download", args=[run.pk])).streaming_content)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    assert round(float(reader.pages[0].mediabox.width) * 25.4 / 72) == 210
    front = reader.pages[0].extract_text()
    assert "Canal Quarter update" in front
    assert "Arrests on Mill Lane" in front
    assert "Help with drug use" in reader.pages[1].extract_text()
    link = ShortLink.objects.get(print_run=run)
    assert f"http://testserver/q/{link.code}" in decode_qr_codes(pdf)


def test_a_newsletter_needs_a_leaflet_format_and_to_be_published(
    client,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
    operation,
    area,
    update_page,
    leaflet_template,
):
    draft = make_newsletter(title="Draft issue")
    draft.unpublish()
    published = make_newsletter(title="Published issue")
    client.force_login(neighbourhood_officer)
    common = {
        "operation": operation.pk,
        "area": area.pk,
        "quantity": 10,
        "qr_target": "page",
        "target_page": update_page.pk,
    }
    response = run_create(
        client,
        django_capture_on_commit_callbacks,
        newsletter=published.pk,
        format="a3_sign",
        **common,
    )
    assert "A newsletter prints as a leaflet, not a sign." in response.content.decode()
    response = run_create(
        client,
        django_capture_on_commit_callbacks,
        newsletter=published.pk,
        template=leaflet_template.pk,
        format="a5_leaflet_1",
        **common,
    )
    assert "Choose a print template, or a newsletter" in response.content.decode()
    response = run_create(
        client,
        django_capture_on_commit_callbacks,
        newsletter=draft.pk,
        format="a5_leaflet_1",
        **common,
    )
    assert response.status_code == 200  # a draft is not offered at all
    assert not PrintRun.objects.exists()
