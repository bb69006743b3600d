"""The admin loads nothing from other hosts: no CDN, no fonts, and no avatar service that
would learn staff email addresses (Wagtail asks Gravatar unless told not to)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

AVATAR = re.compile(r'"avatarUrl": "/static/wagtailadmin/images/default-user-avatar\.png[?"]')
ASSET = re.compile(r'<(?:img|script|link|source|iframe)\b[^>]*?\b(?:src|href|srcset)="([^"]+)"')


def foreign_assets(html: str) -> list[str]:
    return [url for url in ASSET.findall(html) if url.startswith(("//", "http://", "https://"))]


def test_admin_pages_load_only_the_sites_own_assets(client, comms_officer):
    comms_officer.email = "priya@harbridge.example.org"
    comms_officer.save()
    client.force_login(comms_officer)
    for url in (
        reverse("wagtailadmin_home"),
        reverse("reports_admin:dashboard"),
        reverse("wagtailadmin_account"),
    ):
        html = client.get(url).content.decode()
        # The account menu draws the user's avatar (its address is in the sidebar's data,
        # which the asset check does not read): the site's own default image.
        assert AVATAR.search(html), url
        assert foreign_assets(html) == [], url
        assert "gravatar" not in html
