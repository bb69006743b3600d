"""Print runs through the admin: the PDF that prints, its pages and its QR codes."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from engagement.models import Activity
from printing.models import PrintRun, ShortLink
from tests.factories import OperationFactory

from .conftest import decode_qr_codes
from .forms import run_create, run_form

pytestmark = pytest.mark.django_db


def download(client, run) -> bytes:
    response = client.get(reverse("printing_admin:download", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [
        (round(float(p.mediabox.width) * 25.4 / 72), round(float(p.mediabox.height) * 25.4 / 72))
        for p in reader.pages
    ]


@pytest.fixture
def officer_client(client, neighbourhood_officer):
    client.force_login(neighbourhood_officer)
    return client


def test_neighbourhood_officer_prints_an_a5_leaflet_whose_qr_code_leads_to_its_short_link(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    update_page,
    neighbourhood_officer,
):
    response = run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=leaflet_template.pk,
            quantity=500,
            qr_target="page",
            target_page=update_page.pk,
        ),
    )
    run = PrintRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("printing_admin:run", args=[run.pk])
    assert run.status == PrintRun.Status.READY
    assert run.created_by == neighbourhood_officer

    pdf = download(officer_client, run)
    # A shared-code leaflet prints as one copy for the printer to repeat.
    assert sizes_mm(pdf) == [(148, 210)]
    link = ShortLink.objects.get(print_run=run)
    assert decode_qr_codes(pdf) == [f"http://testserver/q/{link.code}"]
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert f"testserver/q/{link.code}" in text  # the address for people without a camera
    assert "Police are working in your area" in text
    assert "Crimestoppers anonymously" in text  # the initiative's wording fills the gap
    assert "Safer Harbridge" in text

    detail = officer_client.get(reverse("printing_admin:run", args=[run.pk]))
    assert b"Download PDF (1 page)" in detail.content


def test_two_sided_a4_leaflet_has_a_front_and_a_back(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    update_page,
):
    run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=leaflet_template.pk,
            format="a4_leaflet_2",
            quantity=200,
            qr_target="page",
            target_page=update_page.pk,
        ),
    )
    pdf = download(officer_client, PrintRun.objects.get())
    assert sizes_mm(pdf) == [(210, 297), (210, 297)]
    reader = PdfReader(io.BytesIO(pdf))
    assert "What is happening" in reader.pages[0].extract_text()
    assert "Help with drug use" in reader.pages[1].extract_text()


def test_a3_sign_run_gives_each_sign_its_own_qr_code(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    sign_template,
    update_page,
):
    run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=sign_template.pk,
            format="a3_sign",
            quantity=3,
            qr_target="page",
            target_page=update_page.pk,
        ),
    )
    run = PrintRun.objects.get()
    pdf = download(officer_client, run)
    assert sizes_mm(pdf) == [(297, 420)] * 3
    expected = [
        f"http://testserver/q/{sign.short_link.code}"
        for sign in run.signs.select_related("short_link").order_by("number")
    ]
    assert len(set(expected)) == 3
    assert decode_qr_codes(pdf, first_page=1, last_page=3) == expected
    assert run.signs.count() == 3


def test_print_run_is_logged_and_recorded_in_the_activity_calendar(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    sign_template,
    update_page,
    neighbourhood_officer,
):
    for template, fmt in ((leaflet_template, "a5_leaflet_2"), (sign_template, "a4_sign")):
        run_create(
            officer_client,
            django_capture_on_commit_callbacks,
            **run_form(
                operation,
                area,
                template=template.pk,
                format=fmt,
                quantity=4,
                qr_target="page",
                target_page=update_page.pk,
            ),
        )
    leaflets, signs = PrintRun.objects.order_by("created_at")
    modes = {a.mode for a in Activity.objects.filter(area=area, operation=operation)}
    assert modes == {Activity.Mode.LEAFLET_DROP, Activity.Mode.REMOVABLE_SIGNS}
    entry = ModelLogEntry.objects.filter(action="printing.print_run.recorded").get(
        object_id=str(leaflets.pk)
    )
    assert entry.user == neighbourhood_officer
    assert entry.data["quantity"] == 4
    assert ModelLogEntry.objects.filter(
        action="printing.print_run.ready", object_id=str(signs.pk)
    ).exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity": 0}, "Print at least one."),
        ({"quantity": 10_001}, "At most 10,000 in one run"),
        ({"format": "a4_sign"}, "is a leaflet template"),
        ({"target_page": ""}, "Choose the page the QR code leads to."),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_recorded(
    officer_client,
    django_capture_on_commit_callbacks,
    operation,
    area,
    leaflet_template,
    update_page,
    fields,
    message,
):
    good = {
        "template": leaflet_template.pk,
        "quantity": 100,
        "qr_target": "page",
        "target_page": update_page.pk,
    }
    data = run_form(operation, area, **{**good, **fields})
    response = run_create(officer_client, django_capture_on_commit_callbacks, **data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PrintRun.objects.exists()
    assert not Activity.objects.exists()


def test_operation_without_an_area_or_an_area_outside_it_is_refused(
    officer_client, django_capture_on_commit_callbacks, area, leaflet_template, update_page
):
    bare = OperationFactory(name="Operation Bare", areas=[])
    elsewhere = OperationFactory(name="Operation Elsewhere")
    common = {
        "template": leaflet_template.pk,
        "format": "a5_leaflet_1",
        "quantity": 10,
        "qr_target": "page",
        "target_page": update_page.pk,
        "area": area.pk,
    }
    response = run_create(
        officer_client, django_capture_on_commit_callbacks, operation=bare.pk, **common
    )
    assert "Operation Bare has no area yet" in response.content.decode()
    response = run_create(
        officer_client, django_capture_on_commit_callbacks, operation=elsewhere.pk, **common
    )
    assert "Canal Quarter is not one of Operation Elsewhere" in response.content.decode()
    assert not PrintRun.objects.exists()


def test_long_text_is_shrunk_to_fit_and_too_long_text_is_refused(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    update_page,
):
    paragraph = (
        "<p>" + "Officers will be visiting homes and businesses on these streets. " * 9 + "</p>"
    )
    leaflet_template.what_is_happening = paragraph * 3
    leaflet_template.save()
    common = run_form(
        operation,
        area,
        template=leaflet_template.pk,
        quantity=50,
        qr_target="page",
        target_page=update_page.pk,
    )
    run_create(officer_client, django_capture_on_commit_callbacks, **common)
    run = PrintRun.objects.get()
    assert run.font_scale < 1
    assert sizes_mm(download(officer_client, run)) == [(148, 210)]  # still one page

    leaflet_template.what_is_happening = paragraph * 12
    leaflet_template.save()
    response = run_create(officer_client, django_capture_on_commit_callbacks, **common)
    assert "The text is too long for an A5 leaflet" in response.content.decode()
    assert PrintRun.objects.count() == 1


def test_preview_shows_the_leaflet_as_html_without_recording_a_run(
    officer_client, initiative, operation, area, leaflet_template, update_page
):
    response = officer_client.post(
        reverse("printing_admin:create"),
        {
            "preview": "1",
            "operation": operation.pk,
            "area": area.pk,
            "template": leaflet_template.pk,
            "format": "a5_leaflet_1",
            "quantity": 50,
            "qr_target": "page",
            "target_page": update_page.pk,
        },
    )
    assert response.status_code == 200
    html = response.context["preview_html"]
    assert "size: A5" in html and "width: 148mm" in html
    assert "Police are working in your area" in html
    assert "<svg" in html  # the vector QR code
    assert 'srcdoc="&lt;!doctype html&gt;' in response.content.decode()  # escaped once
    assert not PrintRun.objects.exists()


def test_run_preview_matches_the_pdf_content(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    sign_template,
    update_page,
):
    run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=sign_template.pk,
            format="a4_sign",
            quantity=2,
            qr_target="page",
            target_page=update_page.pk,
        ),
    )
    run = PrintRun.objects.get()
    html = officer_client.get(reverse("printing_admin:preview", args=[run.pk])).content.decode()
    for sign in run.signs.select_related("short_link"):
        assert sign.short_link.display_address() in html
    assert "Police operation in progress" in html


def test_missing_logo_file_prints_with_the_name_alone(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    update_page,
):
    from wagtail.images.models import Image

    initiative.logo = Image.objects.create(
        title="Logo", file="original_images/gone.png", width=10, height=10
    )
    initiative.save()
    run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=leaflet_template.pk,
            quantity=10,
            qr_target="page",
            target_page=update_page.pk,
        ),
    )
    run = PrintRun.objects.get()
    pdf = download(officer_client, run)
    assert sizes_mm(pdf) == [(148, 210)]
    assert "Safer Harbridge" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def test_partner_viewer_cannot_print_and_neighbourhood_team_cannot_edit_templates(
    client, partner_viewer, neighbourhood_officer, comms_officer, leaflet_template
):
    # The admin turns each refusal into a redirect to the dashboard, with a message.
    refused = (302, reverse("wagtailadmin_home"))
    client.force_login(partner_viewer)
    response = client.get(reverse("printing_admin:create"))
    assert (response.status_code, response["Location"]) == refused
    client.force_login(neighbourhood_officer)
    edit = reverse("wagtailsnippets_printing_printtemplate:edit", args=[leaflet_template.pk])
    response = client.get(edit)
    assert (response.status_code, response["Location"]) == refused
    client.force_login(comms_officer)
    assert client.get(edit).status_code == 200


def test_rendering_twice_keeps_one_pdf(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    update_page,
):
    from printing.services import print_run_render

    run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=leaflet_template.pk,
            quantity=10,
            qr_target="page",
            target_page=update_page.pk,
        ),
    )
    run = PrintRun.objects.get()
    first = run.pdf.name
    again = print_run_render(print_run_id=run.pk)
    assert again.pdf.name == first
    assert again.status == PrintRun.Status.READY
