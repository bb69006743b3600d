"""Writing a press release in the admin: the headline fills the slug as on every other page,
and a save that fails says where the problem is."""

import re

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from engagement.models import PressReleasePage

pytestmark = pytest.mark.django_db


def add_url(newsroom):
    return reverse("wagtailadmin_pages:add", args=["engagement", "pressreleasepage", newsroom.pk])


def new_release(**overrides):
    data = {
        "title": "Eleven arrested as partners close down dealing",
        "slug": "",
        "summary": "Police executed eleven warrants in Eastfield.",
        "body": streamfield([("paragraph", rich_text("<p>Eleven warrants.</p>"))]),
        "spokesperson_quote": "",
        "quote_attribution": "",
        "notes_to_editors": rich_text("<p></p>"),
        "media_contact_name": "",
        "media_contact_phone": "",
        "media_contact_email": "",
        "go_live_at": "",
        "expire_at": "",
    }
    data.update(overrides)
    return nested_form_data(data)


def test_the_headline_fills_the_slug_as_the_officer_types(client, comms_officer, newsroom):
    client.force_login(comms_officer)
    page = client.get(add_url(newsroom)).content.decode()
    headline = re.search(r'<input[^>]*name="title"[^>]*>', page).group(0)
    assert 'data-controller="w-sync"' in headline
    assert 'data-w-sync-target-value="#id_slug"' in headline
    assert "blur-&gt;w-sync#apply" in headline or "blur->w-sync#apply" in headline


def test_save_draft_with_an_empty_slug_keeps_the_release_and_names_it_from_the_headline(
    client, comms_officer, newsroom
):
    client.force_login(comms_officer)
    response = client.post(add_url(newsroom), new_release())
    assert response.status_code == 302, response.context["form"].errors
    release = PressReleasePage.objects.child_of(newsroom).get()
    assert release.slug == "eleven-arrested-as-partners-close-down-dealing"
    assert release.title == "Eleven arrested as partners close down dealing"
    assert not release.live


def test_a_second_release_with_the_same_headline_gets_its_own_slug(
    client, comms_officer, newsroom, make_release
):
    make_release(title="Eleven arrested as partners close down dealing")
    client.force_login(comms_officer)
    response = client.post(add_url(newsroom), new_release())
    assert response.status_code == 302
    slugs = set(PressReleasePage.objects.child_of(newsroom).values_list("slug", flat=True))
    assert len(slugs) == 2


def test_an_error_on_another_tab_is_counted_on_that_tab_and_nothing_typed_is_lost(
    client, comms_officer, newsroom
):
    client.force_login(comms_officer)
    response = client.post(
        add_url(newsroom), new_release(slug="not a slug!", summary="Kept as typed.")
    )
    assert response.status_code == 200
    assert not PressReleasePage.objects.exists()
    html = response.content.decode()
    # The error sits in the Promote tab's panel, whose tab link carries the error counter
    # Wagtail fills in ("1 error" on the tab's label).
    promote = html[html.index('id="tab-promote"') :]
    assert "Enter a valid “slug”" in promote or "Enter a valid &ldquo;slug&rdquo;" in promote
    nav = re.search(r'<a[^>]*href="#tab-promote"[^>]*>.*?</a>', html, re.S).group(0)
    assert "w-count" in nav
    assert "Kept as typed." in html
