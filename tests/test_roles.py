"""Each role can do what the README's roles table says, through the admin's own doors."""

import pytest
from django.contrib.auth.models import Group
from signpost import roles
from wagtail.models import Page

from tests.factories import AreaFactory

pytestmark = pytest.mark.django_db

AREA_ADD = "/admin/snippets/engagement/area/add/"
AREA_LIST = "/admin/snippets/engagement/area/"


def test_migration_creates_every_role():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)


@pytest.mark.parametrize(
    "fixture", ["comms_officer", "approver", "neighbourhood_officer", "analyst", "partner_viewer"]
)
def test_every_role_reaches_the_admin(client, request, fixture):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get("/admin/").status_code == 200


def test_a_user_without_a_role_cannot_reach_the_admin(client, make_user):
    user = make_user(None, username="resident")
    user.is_superuser = False
    user.is_staff = False
    user.save()
    client.force_login(user)
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize(
    ("fixture", "can_add"),
    [
        ("comms_officer", True),
        ("approver", True),
        ("neighbourhood_officer", False),
        ("analyst", False),
        ("partner_viewer", False),
    ],
)
def test_who_may_add_an_area(client, request, fixture, can_add):
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(AREA_ADD)
    assert (response.status_code == 200) is can_add
    response = client.post(
        AREA_ADD,
        {
            "name": "Riverside",
            "slug": "riverside",
            "household_count": 900,
            "postcode_prefixes": "HB7",
        },
    )
    from engagement.models import Area

    assert Area.objects.filter(slug="riverside").exists() is can_add


@pytest.mark.parametrize("fixture", ["neighbourhood_officer", "analyst", "partner_viewer"])
def test_read_only_roles_see_areas(client, request, fixture):
    AreaFactory(name="Eastfield")
    client.force_login(request.getfixturevalue(fixture))
    response = client.get(AREA_LIST)
    assert response.status_code == 200
    assert "Eastfield" in response.content.decode()


@pytest.mark.parametrize(
    ("fixture", "can_publish", "can_edit"),
    [
        ("comms_officer", True, True),
        ("approver", True, True),
        ("analyst", False, True),
        ("neighbourhood_officer", False, False),
        ("partner_viewer", False, False),
    ],
)
def test_page_permissions_per_role(request, fixture, can_publish, can_edit):
    user = request.getfixturevalue(fixture)
    home = Page.objects.get(depth=2)
    perms = home.permissions_for_user(user)
    assert perms.can_publish() is can_publish
    assert perms.can_edit() is can_edit


def test_partner_viewer_cannot_change_initiative_settings(client, partner_viewer, comms_officer):
    url = "/admin/settings/signpost/initiativesettings/"
    client.force_login(partner_viewer)
    response = client.get(url, follow=True)
    assert "Initiative settings" not in response.content.decode()
    assert response.redirect_chain[-1][0] == "/admin/"
    client.force_login(comms_officer)
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert 'name="contact_email"' in response.content.decode()
