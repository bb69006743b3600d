"""A newsletter written once in Wagtail is a web page and an email: table-based, CSS
inlined, with a plain-text alternative, previewable as an email in the editor."""

import re

import pytest
from signpost.models import HomePage
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from newsletters.campaigns.email import render_newsletter_email, sample_merge_values
from newsletters.models import NewsletterPage
from tests.test_qr import decode_png

from ..factories import make_newsletter

pytestmark = pytest.mark.django_db


def test_communications_officer_creates_and_publishes_a_newsletter_in_the_admin(
    client, comms_officer, eastfield
):
    home = HomePage.objects.get()
    client.force_login(comms_officer)
    data = nested_form_data(
        {
            "title": "Eastfield update, April",
            "slug": "eastfield-april",
            "introduction": "Three things that changed this month.",
            "area": eastfield.pk,
            "body": streamfield(
                [
                    ("heading", "Closed: the Mill Lane drug line"),
                    ("paragraph", rich_text("<p>Eight arrests on the <b>arrest day</b>.</p>")),
                    (
                        "you_said_we_did",
                        {
                            "you_said": "Needles in the park.",
                            "we_did": "Weekly sweeps, sharps bins.",
                        },
                    ),
                    (
                        "survey_invitation",
                        {
                            "heading": "How safe does it feel?",
                            "text": "",
                            "page": "",
                            "url": "https://example.org/survey/",
                            "button_text": "Take the survey",
                        },
                    ),
                ]
            ),
            "action-publish": "publish",
        }
    )
    response = client.post(f"/admin/pages/add/newsletters/newsletterpage/{home.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page = NewsletterPage.objects.get(slug="eastfield-april")
    assert page.live and page.area == eastfield

    html = client.get(page.url).content.decode()
    assert "Closed: the Mill Lane drug line" in html
    assert "You said" in html and "Weekly sweeps" in html
    assert "<svg" in html  # the survey's QR code, drawn inline on the web page
    assert 'href="/newsletters/subscribe/"' in html


def test_a_survey_invitation_needs_a_page_or_an_address(client, comms_officer):
    home = HomePage.objects.get()
    client.force_login(comms_officer)
    data = nested_form_data(
        {
            "title": "No target",
            "slug": "no-target",
            "introduction": "",
            "area": "",
            "body": streamfield(
                [
                    (
                        "survey_invitation",
                        {
                            "heading": "Survey",
                            "text": "",
                            "page": "",
                            "url": "",
                            "button_text": "Go",
                        },
                    )
                ]
            ),
        }
    )
    response = client.post(f"/admin/pages/add/newsletters/newsletterpage/{home.pk}/", data)
    assert response.status_code == 200
    assert "Choose the survey page or give its address." in response.content.decode()
    assert not NewsletterPage.objects.exists()


def test_the_editor_offers_an_email_preview(client, comms_officer):
    page = make_newsletter(title="Preview me", body=[])
    client.force_login(comms_officer)
    edit = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    assert 'value="email"' in edit and ">Email<" in edit

    preview_url = f"/admin/pages/{page.pk}/edit/preview/"
    data = nested_form_data(
        {
            "title": "Preview me, edited",
            "slug": page.slug,
            "introduction": "Unsaved words.",
            "area": "",
            "body": streamfield([("heading", "Seen only in the preview")]),
        }
    )
    assert client.post(preview_url, data).json()["is_valid"] is True
    html = client.get(preview_url, {"mode": "email"}).content.decode()
    assert html.lower().startswith("<!doctype html>")
    assert 'role="presentation"' in html
    assert "Preview me, edited" in html and "Seen only in the preview" in html
    assert "[[" not in html  # merge fields filled with sample values


def test_email_html_is_table_based_with_css_inlined_and_a_text_alternative():
    page = make_newsletter(title="Spring update")
    rendered = render_newsletter_email(page, subject="News from Eastfield")
    html = rendered.html_for(sample_merge_values())
    assert rendered.subject == "News from Eastfield"
    assert '<table role="presentation"' in html
    assert re.search(r'<td class="header" style="[^"]*background: #1c3f5e', html)
    assert "@media only screen and (max-width: 620px)" in html  # responsive rules kept
    assert "Arrests on Mill Lane" in html
    assert 'href="http://testserver/newsletters/sample/unsubscribe/"' in html
    assert re.search(r'src="http://testserver/newsletters/qr/[^"]+\.png"', html)
    # Every link and image is absolute: mail programs have no base address.
    assert not re.search(r'(href|src)="/', html)

    text = rendered.text_for(sample_merge_values())
    assert "Spring update\n=============" in text
    assert "You said: Dealing near the school gates." in text
    assert "Take the survey: https://signpost.example.org/survey/eastfield/" in text
    assert "Unsubscribe: http://testserver/newsletters/sample/unsubscribe/" in text
    assert "<" not in text


def test_merge_values_are_escaped_in_html(db):
    page = make_newsletter()
    rendered = render_newsletter_email(page)
    html = rendered.html_for({**sample_merge_values(), "name": "<script>x</script>"})
    assert "<script>x</script>" not in html and "&lt;script&gt;" in html


def test_the_survey_qr_code_image_is_served_only_for_signed_addresses(client, db, tmp_path):
    page = make_newsletter()
    html = render_newsletter_email(page).html
    src = re.search(r'src="http://testserver(/newsletters/qr/[^"]+\.png)"', html).group(1)
    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")
    assert decode_png(tmp_path, response.content) == [
        "https://signpost.example.org/survey/eastfield/"
    ]
    assert client.get("/newsletters/qr/forged.png").status_code == 400
