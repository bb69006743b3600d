"""A press release in Welsh is signed off like any other: wagtail-localize's own doors
(publish from the translation editor, publish while syncing translations) are refused for
every role, superusers included, and the sign-off workflow takes the translation live."""

import pytest
from django.urls import reverse
from wagtail.models import Locale

from engagement.models import PressReleasePage
from tests.factories import press_release_sign_off

pytestmark = pytest.mark.django_db


def refused(response) -> bool:
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == "/admin/"
    )


@pytest.fixture
def welsh(db):
    return Locale.objects.get_or_create(language_code="cy")[0]


@pytest.fixture
def signed_release(make_release, comms_officer, approver, spokesperson):
    release = make_release(title="Arrests close dealing site")
    return press_release_sign_off(
        release, submitted_by=comms_officer, reviewed_by=approver, approved_by=spokesperson
    )


@pytest.fixture
def welsh_release(client, signed_release, comms_officer, welsh):
    client.force_login(comms_officer)
    response = client.post(
        reverse("wagtail_localize:submit_page_translation", args=[signed_release.pk]),
        {"locales": [welsh.pk]},
    )
    assert response.status_code == 302
    client.logout()
    return PressReleasePage.objects.get(
        translation_key=signed_release.translation_key, locale=welsh
    )


def test_the_officer_sends_a_release_for_translation_and_it_waits_as_a_draft(
    signed_release, welsh_release
):
    assert signed_release.live
    assert not welsh_release.live
    # The Welsh release is signed off in the same workflow as the English one.
    assert welsh_release.get_workflow() == signed_release.get_workflow()
    assert welsh_release.get_workflow() is not None


@pytest.mark.parametrize("who", ["comms_officer", "approver", "superuser"])
def test_publishing_from_the_translation_editor_is_refused(
    request, client, welsh_release, who, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(who))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[welsh_release.pk]), {"action": "publish"}
        )
    # Wagtail's admin answers a refused action by going back to the dashboard, saying why.
    assert refused(response)
    assert not PressReleasePage.objects.get(pk=welsh_release.pk).live
    client.logout()
    assert client.get("/cy/news/arrests-close-dealing-site/").status_code == 404


def test_publishing_while_syncing_translations_is_refused(
    client, signed_release, welsh_release, superuser, django_capture_on_commit_callbacks
):
    """wagtail-localize publishes the synced translations as its transaction commits; the
    release's publish guard refuses it there (a PermissionDenied, which the admin answers
    as a refusal) and the Welsh release stays off the site."""
    from wagtail_localize.models import TranslationSource

    from engagement.models import PressReleaseNotSignedOff

    source = TranslationSource.objects.get_for_instance(signed_release)
    client.force_login(superuser)
    with (
        pytest.raises(PressReleaseNotSignedOff),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            reverse("wagtail_localize:update_translations", args=[source.pk]),
            {"publish_translations": "on"},
        )
    assert not PressReleasePage.objects.get(pk=welsh_release.pk).live
    client.logout()
    assert client.get("/cy/news/arrests-close-dealing-site/").status_code == 404


def test_the_sign_off_takes_the_welsh_release_live(
    welsh_release, comms_officer, approver, spokesperson
):
    signed = press_release_sign_off(
        welsh_release, submitted_by=comms_officer, reviewed_by=approver, approved_by=spokesperson
    )
    assert signed.live
    assert signed.locale.language_code == "cy"
