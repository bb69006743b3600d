"""Short links count scans without storing who scanned; signs are logged and chased."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from printing import services
from printing.models import PrintRun, ShortLink, Sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign_run(
    initiative,
    operation,
    area,
    sign_template,
    update_page,
    neighbourhood_officer,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        return services.print_run_create(
            user=neighbourhood_officer,
            operation=operation,
            area=area,
            template=sign_template,
            format="a4_sign",
            quantity=2,
            qr_target="page",
            target_page=update_page,
        )


def test_scan_redirects_to_the_target_and_counts_per_run_and_per_sign(
    client, sign_run, update_page
):
    run_link = ShortLink.objects.get(print_run=sign_run, sign__isnull=True)
    sign_link = sign_run.signs.get(number=2).short_link

    response = client.get(f"/q/{sign_link.code}")
    assert response.status_code == 302
    assert response["Location"] == update_page.specific.get_full_url()
    # The same phone scanning again a moment later counts once; another phone counts.
    client.get(f"/q/{sign_link.code}")
    client.get(f"/q/{sign_link.code.lower()}", REMOTE_ADDR="192.0.2.9")
    client.get(f"/q/{run_link.code}")
    client.head(f"/q/{run_link.code}", REMOTE_ADDR="192.0.2.10")  # link previews don't count

    sign_link.refresh_from_db()
    run_link.refresh_from_db()
    assert sign_link.scan_count == 2
    assert run_link.scan_count == 1
    assert sign_link.last_scanned_on == timezone.localdate()
    # Nothing about the scanner is stored: the row holds only counts and a day.
    assert {f.name for f in ShortLink._meta.concrete_fields} == {
        "id",
        "code",
        "print_run",
        "sign",
        "scan_count",
        "last_scanned_on",
    }


def test_unknown_or_malformed_code_gets_a_helpful_404(client, db):
    for code in ("ZZZZZZ", "not-a-code", "%3Cscript%3E"):
        response = client.get(f"/q/{code}")
        assert response.status_code == 404
        assert b"We don't recognise that code" in response.content


def test_an_unpublished_target_falls_back_to_the_home_page(client, sign_run, update_page):
    update_page.unpublish()
    link = ShortLink.objects.get(print_run=sign_run, sign__isnull=True)
    response = client.get(f"/q/{link.code}")
    assert response["Location"] == "http://testserver/"


def test_scan_redirect_has_a_query_budget(client, sign_run, django_assert_max_num_queries):
    link = ShortLink.objects.get(print_run=sign_run, sign__isnull=True)
    # The link, its count, the target page and the site's roots; with the site in several
    # languages Wagtail also reads the home page's translations for their addresses.
    with django_assert_max_num_queries(6):
        client.get(f"/q/{link.code}")


def test_officer_logs_a_sign_up_with_a_default_due_date_then_down(
    client, sign_run, neighbourhood_officer
):
    client.force_login(neighbourhood_officer)
    sign = sign_run.signs.get(number=1)
    url = reverse("printing_admin:sign", args=[sign.pk])
    response = client.post(url, {"location": "", "put_up_at": "2026-11-20T09:30"})
    assert "Say where the sign is" in response.content.decode()

    response = client.post(
        url, {"location": "Lamp post by 4 Wharf Street", "put_up_at": "2026-11-20T09:30"}
    )
    assert response.status_code == 302
    sign.refresh_from_db()
    assert sign.put_up_by == neighbourhood_officer
    assert sign.due_down_on == datetime.date(2026, 11, 23)

    response = client.post(
        url,
        {
            "location": sign.location,
            "put_up_at": "2026-11-20T09:30",
            "due_down_on": "2026-11-23",
            "taken_down_at": "2026-11-19T09:00",
        },
    )
    assert "cannot come down before it went up" in response.content.decode()
    client.post(
        url,
        {
            "location": sign.location,
            "put_up_at": "2026-11-20T09:30",
            "due_down_on": "2026-11-23",
            "taken_down_at": "2026-11-22T16:00",
        },
    )
    sign.refresh_from_db()
    assert sign.status == "Taken down"
    logged = ModelLogEntry.objects.for_instance(sign).order_by("timestamp", "pk")
    assert [(e.action, e.message) for e in logged] == [
        ("printing.sign.put_up", "Sign put up"),
        ("printing.sign.taken_down", "Sign taken down"),
    ]


def test_overdue_signs_are_listed_and_chased_once_a_day(client, sign_run, neighbourhood_officer):
    today = timezone.localdate()
    up = timezone.now() - datetime.timedelta(days=6)
    overdue, on_time = sign_run.signs.order_by("number")
    services.sign_log(
        sign=overdue,
        user=neighbourhood_officer,
        location="Wharf Street",
        put_up_at=up,
        due_down_on=today - datetime.timedelta(days=2),
    )
    services.sign_log(
        sign=on_time,
        user=neighbourhood_officer,
        location="Lock Lane",
        put_up_at=up,
        due_down_on=today + datetime.timedelta(days=1),
    )

    client.force_login(neighbourhood_officer)
    listing = client.get(reverse("printing_signs:index"), {"show": "overdue"}).content.decode()
    assert "Wharf Street" in listing and "Lock Lane" not in listing
    # By default the listing shows the signs not taken down, the overdue one marked.
    up_now = client.get(reverse("printing_signs:index")).content.decode()
    assert "Wharf Street" in up_now and "Lock Lane" in up_now
    assert up_now.count("<strong>Overdue</strong>") == 1

    assert services.signs_chase_overdue(today=today) == 1
    assert services.signs_chase_overdue(today=today) == 0  # once a day
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [neighbourhood_officer.email]
    assert "Wharf Street" in mail.outbox[0].body and "Lock Lane" not in mail.outbox[0].body
    assert services.signs_chase_overdue(today=today + datetime.timedelta(days=1)) == 1

    services.sign_log(
        sign=overdue,
        user=neighbourhood_officer,
        location="Wharf Street",
        put_up_at=up,
        due_down_on=overdue.due_down_on,
        taken_down_at=timezone.now(),
    )
    # Two days on, the sign taken down is no longer chased; the one now overdue is.
    assert services.signs_chase_overdue(today=today + datetime.timedelta(days=2)) == 1
    assert "Lock Lane" in mail.outbox[-1].body and "Wharf Street" not in mail.outbox[-1].body
    assert Sign.objects.get(pk=overdue.pk).status == "Taken down"
    assert PrintRun.objects.count() == 1


def test_dashboard_shows_overdue_signs(client, sign_run, neighbourhood_officer):
    sign = sign_run.signs.get(number=1)
    services.sign_log(
        sign=sign,
        user=neighbourhood_officer,
        location="Towpath Row bench",
        put_up_at=timezone.now() - datetime.timedelta(days=5),
        due_down_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(neighbourhood_officer)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Signs overdue to come down" in dashboard
    assert "Towpath Row bench" in dashboard


def test_newly_printed_signs_are_on_the_signs_list_until_taken_down(
    client, sign_run, neighbourhood_officer
):
    """A run just printed has no sign up yet: the list opens on every sign not taken down,
    so the officer finds the new ones there to log."""
    client.force_login(neighbourhood_officer)
    listing = client.get(reverse("printing_signs:index")).content.decode()
    links = [reverse("printing_admin:sign", args=[sign.pk]) for sign in sign_run.signs.all()]
    assert all(f'href="{link}"' in listing for link in links), listing
    assert 'href="?show=current" aria-current="page"' in listing
    assert "No signs to show." not in listing

    first, second = sign_run.signs.order_by("number")
    services.sign_log(
        sign=first,
        user=neighbourhood_officer,
        location="Wharf Street",
        put_up_at=timezone.now() - datetime.timedelta(days=3),
        due_down_on=timezone.localdate() + datetime.timedelta(days=2),
        taken_down_at=timezone.now(),
    )
    listing = client.get(reverse("printing_signs:index")).content.decode()
    assert f'href="{reverse("printing_admin:sign", args=[second.pk])}"' in listing
    assert f'href="{reverse("printing_admin:sign", args=[first.pk])}"' not in listing
    every = client.get(reverse("printing_signs:index"), {"show": "all"}).content.decode()
    assert f'href="{reverse("printing_admin:sign", args=[first.pk])}"' in every
