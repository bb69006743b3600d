"""An approved release with an embargo goes live at its time and not a second before:
not by URL, preview, printable view, newsroom listing, feed, sitemap or site search."""

import contextlib
import datetime
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry

from engagement.models import Activity, PressReleasePage
from engagement.tasks import pages_publish_scheduled
from tests.refusals import assert_refused

from .conftest import in_future

pytestmark = pytest.mark.django_db

SECRET = "Zebrafinch"  # a word that appears only in the embargoed release


@pytest.fixture
def embargoed(make_release, comms_officer, approver, spokesperson):
    """A release signed off by both approvers, embargoed until an hour from now."""
    release = make_release(
        title=f"{SECRET} estate closure orders",
        summary=f"{SECRET}: two closure orders granted.",
        go_live_at=in_future(hours=1),
    )
    release.get_workflow().start(release, comms_officer)
    for reviewer in (approver, spokesperson):
        release.refresh_from_db()
        release.current_workflow_task.on_action(
            release.current_workflow_task_state, reviewer, "approve"
        )
    return PressReleasePage.objects.get(pk=release.pk)


@contextlib.contextmanager
def clock_at(moment):
    """Stand in for the clock: the signed-off revision stays exactly as approved (its
    content is fingerprinted at sign-off), so time moves instead of the embargo."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def doors(client, newsroom, release):
    """Everything a member of the public, a journalist or a crawler could ask for."""
    url = f"/news/{release.slug}/"
    return {
        "page": client.get(url),
        "print": client.get(f"{url}print/"),
        "newsroom": client.get("/news/"),
        "rss": client.get("/news/feed/rss/"),
        "atom": client.get("/news/feed/atom/"),
        "sitemap": client.get("/sitemap.xml"),
        "search": client.get("/search/", {"query": SECRET}),
    }


def test_an_approved_embargoed_release_is_scheduled_not_live(embargoed):
    assert not embargoed.live
    assert embargoed.get_latest_revision().approved_go_live_at == embargoed.go_live_at
    assert PageLogEntry.objects.filter(page=embargoed, action="wagtail.publish.schedule").exists()


def test_nothing_leaks_before_the_embargo(client, newsroom, embargoed, partner_viewer):
    for client_user in (None, partner_viewer):
        if client_user:
            client.force_login(client_user)
        responses = doors(client, newsroom, embargoed)
        assert responses["page"].status_code == 404
        assert responses["print"].status_code == 404
        for name in ("newsroom", "rss", "atom", "sitemap", "search"):
            body = responses[name].content.decode()
            assert responses[name].status_code == 200, name
            assert "closure orders" not in body, name
            assert embargoed.slug not in body, name
    # The admin preview and draft view are for the press team, not the public or partners.
    for url in (
        reverse("wagtailadmin_pages:preview_on_edit", args=[embargoed.pk]),
        reverse("wagtailadmin_pages:view_draft", args=[embargoed.pk]),
    ):
        client.logout()
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        client.force_login(partner_viewer)
        response = client.get(url)
        assert_refused(response)
        assert SECRET not in response.content.decode()
    # Nobody has been emailed and nothing is recorded as delivered.
    assert not [m for m in mail.outbox if m.subject.startswith("Press release:")]
    assert not Activity.objects.filter(mode=Activity.Mode.PRESS_RELEASE).exists()


def test_the_scheduler_does_not_publish_a_second_early(embargoed):
    with clock_at(embargoed.go_live_at - datetime.timedelta(seconds=5)):
        pages_publish_scheduled.delay()
    embargoed.refresh_from_db()
    assert not embargoed.live


def test_at_the_embargo_time_the_release_goes_live_through_every_door(
    client, newsroom, embargoed, django_capture_on_commit_callbacks
):
    # Time passes: the embargo is now a moment ago.
    moment = embargoed.go_live_at + datetime.timedelta(seconds=1)
    with clock_at(moment), django_capture_on_commit_callbacks(execute=True):
        pages_publish_scheduled.delay()
    embargoed.refresh_from_db()
    assert embargoed.live
    assert embargoed.live_revision == embargoed.sign_offs.get().revision

    responses = doors(client, newsroom, embargoed)
    assert responses["page"].status_code == 200
    assert SECRET in responses["page"].content.decode()
    assert responses["print"].status_code == 200
    for name in ("newsroom", "rss", "atom", "search"):
        assert SECRET in responses[name].content.decode(), name
    assert f"/news/{embargoed.slug}/" in responses["sitemap"].content.decode()
    delivered = Activity.objects.get(mode=Activity.Mode.PRESS_RELEASE)
    assert delivered.delivered_on == timezone.localdate(moment)


def test_beat_runs_the_scheduler_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["engagement-publish-scheduled"]
    assert entry["task"] == pages_publish_scheduled.name
    assert entry["schedule"] <= 60
