"""Fixtures for the communication plan, newsroom, press releases and media enquiries."""

import datetime

import pytest
from django.utils import timezone
from signpost import roles
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from engagement.models import NewsroomPage, PressReleasePage
from tests.conftest import ensure_migrated_data
from tests.factories import press_release_sign_off


@pytest.fixture
def home(db):
    """The site's home page (rebuilt if a live-server test emptied the database)."""
    return ensure_migrated_data()


@pytest.fixture
def newsroom(home):
    newsroom = NewsroomPage(title="News", slug="news", introduction="Releases from the partners.")
    home.add_child(instance=newsroom)
    newsroom.save_revision().publish()
    return newsroom


@pytest.fixture
def spokesperson(make_user):
    """A second approver, so a release can pass both sign-off steps."""
    return make_user(roles.APPROVER, username="spokesperson")


@pytest.fixture
def make_release(newsroom, comms_officer):
    def make(title="Arrests close dealing site", owner=None, go_live_at=None, **fields):
        owner = owner or comms_officer
        release = PressReleasePage(
            title=title,
            summary=fields.pop("summary", "Police closed a dealing site in Eastfield."),
            body=fields.pop("body", [("paragraph", "<p>Eleven warrants were executed.</p>")]),
            owner=owner,
            live=False,
            go_live_at=go_live_at,
            **fields,
        )
        newsroom.add_child(instance=release)
        release.save_revision(user=owner)
        return PressReleasePage.objects.get(pk=release.pk)

    return make


def release_form_data(release, **overrides):
    """The admin edit form for a release, as a browser would post it."""
    go_live_at = overrides.pop("go_live_at", release.go_live_at)
    data = {
        "title": release.title,
        "slug": release.slug,
        "summary": release.summary,
        "body": streamfield(
            [
                ("paragraph", rich_text(block.value.source))
                for block in release.body
                if block.block_type == "paragraph"
            ]
        ),
        "spokesperson_quote": release.spokesperson_quote,
        "quote_attribution": release.quote_attribution,
        "notes_to_editors": rich_text(release.notes_to_editors or "<p></p>"),
        "media_contact_name": release.media_contact_name,
        "media_contact_phone": release.media_contact_phone,
        "media_contact_email": release.media_contact_email,
        "go_live_at": timezone.localtime(go_live_at).strftime("%Y-%m-%d %H:%M")
        if go_live_at
        else "",
        "expire_at": "",
    }
    data.update(overrides)
    return nested_form_data(data)


def in_future(**delta):
    return timezone.now() + datetime.timedelta(**delta)


@pytest.fixture
def co_ordinator(make_user):
    """A third approver, for when the other two may not sign a version."""
    return make_user(roles.APPROVER, username="coordinator")


sign_off = press_release_sign_off


@pytest.fixture
def signed_off(comms_officer, approver, spokesperson):
    """Sign a release off (and so publish it, or schedule it at its embargo) properly."""

    def run(release):
        return sign_off(
            release, submitted_by=comms_officer, reviewed_by=approver, approved_by=spokesperson
        )

    return run
