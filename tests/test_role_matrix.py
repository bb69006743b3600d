"""The README's role matrix, door by door: each demo role, through the real admin views,
sees exactly what its row says. A door is a listing, an inspect page, a chooser (and its
search results), an export or a search; a role "sees" a record when its tell-tale text is
in the answer, and is refused when it is not (whatever the status code)."""

import datetime

import pytest
from django.utils import timezone

from engagement.models import Engagement, MediaEnquiry, NewsroomPage, PressReleasePage
from surveys.models import PopulationMargins
from tests.downloads import answer_followed
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory
from tests.newsletters.factories import SubscriberFactory

pytestmark = pytest.mark.django_db

ROLES = ["comms_officer", "approver", "neighbourhood_officer", "analyst", "partner_viewer"]
COMMS, APPROVER, NEIGHBOURHOOD, ANALYST, PARTNER = ROLES
EDITORS = {COMMS, APPROVER}

STAKEHOLDER = "Councillor Quillfeather"
STAKEHOLDER_EMAIL = "quillfeather@council.example"
OUTLET = "Harbridge Evening Lantern"
ENGAGEMENT = "Forum at Thimbleby Hall"
RESIDENT_EMAIL = "ottoline@resident.example"
DRAFT_RELEASE = "Raids on Marrowfat Lane"
CENSUS_SOURCE = "Thimbleby census extract"


@pytest.fixture
def records(db, comms_officer):
    from tests.conftest import ensure_migrated_data

    area = AreaFactory(name="Eastfield", slug="eastfield")
    stakeholder = StakeholderFactory(name=STAKEHOLDER, email=STAKEHOLDER_EMAIL)
    MediaEnquiry.objects.create(
        outlet=OUTLET,
        journalist="Sam Whitley",
        question="How many arrests?",
        received_at=timezone.now(),
        deadline=timezone.now() + datetime.timedelta(hours=3),
    )
    Engagement.objects.create(
        mode=Engagement.Mode.FORUM_MEETING,
        title=ENGAGEMENT,
        occurred_on=timezone.localdate(),
        area=area,
    )
    subscriber = SubscriberFactory(email=RESIDENT_EMAIL, area=area)
    home = ensure_migrated_data()
    newsroom = NewsroomPage(title="News", slug="news", introduction="Releases.")
    home.add_child(instance=newsroom)
    newsroom.save_revision().publish()
    release = PressReleasePage(
        title=DRAFT_RELEASE,
        summary="Warrants executed.",
        body=[("paragraph", "<p>Eleven warrants.</p>")],
        owner=comms_officer,
        live=False,
    )
    newsroom.add_child(instance=release)
    release.save_revision(user=comms_officer)
    margins = PopulationMargins.objects.create(area=area, source=CENSUS_SOURCE)
    return {
        "stakeholder": stakeholder,
        "subscriber": subscriber,
        "newsroom": newsroom,
        "margins": margins,
    }


def doors(records) -> list[tuple[str, str, str, set[str]]]:
    """(door, url, tell-tale text, roles that see it)."""
    stakeholder = records["stakeholder"].pk
    subscriber = records["subscriber"].pk
    newsroom = records["newsroom"].pk
    margins = records["margins"].pk
    population = "/admin/surveys/population"
    register = {COMMS, APPROVER, NEIGHBOURHOOD}
    editors_and_analyst = {COMMS, APPROVER, ANALYST}
    base = "/admin/snippets/engagement"
    register_url = "/admin/engagement/stakeholders"
    log_url = "/admin/engagement/log"
    choose = "/admin/snippets/choose/engagement"
    return [
        ("stakeholder listing", f"{register_url}/", STAKEHOLDER, register),
        ("stakeholder search", f"{register_url}/?q=Quillfeather", STAKEHOLDER, register),
        (
            "stakeholder inspect",
            f"{register_url}/inspect/{stakeholder}/",
            STAKEHOLDER,
            register,
        ),
        ("stakeholder export", f"{register_url}/?export=csv", STAKEHOLDER, register),
        ("stakeholder contact", f"{register_url}/?export=csv", STAKEHOLDER_EMAIL, EDITORS),
        (
            "contact on inspect",
            f"{register_url}/inspect/{stakeholder}/",
            STAKEHOLDER_EMAIL,
            EDITORS,
        ),
        ("stakeholder chooser", f"{choose}/stakeholder/", STAKEHOLDER, register),
        (
            "stakeholder chooser search",
            f"{choose}/stakeholder/results/?q=Quillfeather",
            STAKEHOLDER,
            register,
        ),
        (
            "stakeholder chosen",
            f"{choose}/stakeholder/chosen/{stakeholder}/",
            STAKEHOLDER,
            register,
        ),
        ("media enquiry listing", f"{base}/mediaenquiry/", OUTLET, EDITORS),
        ("media enquiry export", f"{base}/mediaenquiry/?export=csv", OUTLET, EDITORS),
        ("media enquiry chooser", f"{choose}/mediaenquiry/", OUTLET, EDITORS),
        (
            "media enquiry chooser search",
            f"{choose}/mediaenquiry/results/?q=Lantern",
            OUTLET,
            EDITORS,
        ),
        ("engagement listing", f"{log_url}/", ENGAGEMENT, register),
        ("engagement export", f"{log_url}/?export=csv", ENGAGEMENT, register),
        ("engagement chooser", f"{choose}/engagement/", ENGAGEMENT, register),
        (
            "engagement chooser search",
            f"{choose}/engagement/results/?q=Thimbleby",
            ENGAGEMENT,
            register,
        ),
        ("subscriber listing", "/admin/newsletters/subscribers/", RESIDENT_EMAIL, EDITORS),
        (
            "subscriber search",
            "/admin/newsletters/subscribers/?q=ottoline",
            RESIDENT_EMAIL,
            EDITORS,
        ),
        (
            "subscriber inspect",
            f"/admin/newsletters/subscribers/inspect/{subscriber}/",
            RESIDENT_EMAIL,
            EDITORS,
        ),
        (
            "subscriber export",
            "/admin/newsletters/subscribers/?export=csv",
            RESIDENT_EMAIL,
            EDITORS,
        ),
        (
            "subscriber data export",
            f"/admin/newsletters/subscribers/{subscriber}/export/",
            RESIDENT_EMAIL,
            EDITORS,
        ),
        ("page chooser", f"/admin/choose-page/{newsroom}/", DRAFT_RELEASE, editors_and_analyst),
        (
            "page chooser search",
            "/admin/choose-page/search/?q=Marrowfat",
            DRAFT_RELEASE,
            editors_and_analyst,
        ),
        ("page search", "/admin/pages/search/?q=Marrowfat", DRAFT_RELEASE, editors_and_analyst),
        ("population margins listing", f"{population}/", CENSUS_SOURCE, {ANALYST}),
        (
            "population margins inspect",
            f"{population}/inspect/{margins}/",
            CENSUS_SOURCE,
            {ANALYST},
        ),
        ("population margins edit", f"{population}/edit/{margins}/", CENSUS_SOURCE, {ANALYST}),
        ("census import", f"{population}/import/", "Census 2021 table", {ANALYST}),
    ]


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_what_the_role_table_says(client, request, records, role):
    client.force_login(request.getfixturevalue(role))
    wrong = []
    for door, url, secret, allowed in doors(records):
        response = answer_followed(client, url)  # a register's export: the file prepared
        seen = response.status_code == 200 and secret in _body(response)
        if seen != (role in allowed):
            wrong.append(f"{door}: {'sees' if seen else 'does not see'} {secret!r} ({url})")
    assert not wrong, "\n".join(wrong)


def test_a_draft_page_cannot_be_browsed_into_by_who_may_not_see_it(client, records, partner_viewer):
    draft = PressReleasePage.objects.get(title=DRAFT_RELEASE)
    client.force_login(partner_viewer)
    response = client.get(f"/admin/choose-page/{draft.pk}/")
    assert DRAFT_RELEASE not in _body(response)


def test_every_snippet_chooser_checks_permissions():
    from django.urls import get_resolver
    from signpost.choosers import PermissionCheckedSnippetChooserViewSet
    from wagtail.admin.viewsets import viewsets
    from wagtail.snippets.views.chooser import SnippetChooserViewSet

    assert get_resolver().url_patterns
    choosers = [v for v in viewsets.viewsets if isinstance(v, SnippetChooserViewSet)]
    assert len(choosers) >= 9
    unchecked = [
        v.model._meta.label
        for v in choosers
        if not isinstance(v, PermissionCheckedSnippetChooserViewSet)
        and v.model._meta.app_label in {"engagement", "newsletters", "surveys", "printing"}
    ]
    assert unchecked == []
