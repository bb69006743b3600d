"""Wagtail's bulk actions (``/admin/bulk/<app>/<model>/<action>/?id=…``) name nothing a
user may not act on, and change nothing for them: every snippet model the project
registers, pages, images, documents and user accounts, as the roles that must be refused."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils import timezone
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.snippets.models import get_snippet_models

from engagement.models import (
    Activity,
    ConcernTheme,
    Engagement,
    MediaEnquiry,
    NewsroomPage,
    PressReleasePage,
)
from evaluation.models import CrimeArea, Evaluation
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory, OperationFactory
from tests.printing.factories import PrintTemplateFactory
from tests.surveys.factories import SurveyWaveFactory

pytestmark = pytest.mark.django_db

SECRET = "Zephyrine"


def _evaluation():
    operation = OperationFactory(name=f"Operation {SECRET} Eval")
    return Evaluation.objects.create(
        name=f"{SECRET} evaluation",
        operation=operation,
        operation_area=CrimeArea.objects.create(name=f"{SECRET} op area"),
        buffer_area=CrimeArea.objects.create(name=f"{SECRET} buffer"),
        comparison_area=CrimeArea.objects.create(name=f"{SECRET} comparison"),
        crime_types=["drugs"],
        before_start=datetime.date(2024, 1, 1),
        before_end=datetime.date(2024, 6, 1),
        after_start=datetime.date(2024, 7, 1),
        after_end=datetime.date(2024, 12, 1),
    )


# One record of each registered snippet model, whose name would give it away.
SNIPPETS = {
    "engagement.Activity": lambda: Activity.objects.create(
        title=f"{SECRET} door knock",
        mode=Activity.Mode.choices[0][0],
        planned_on=timezone.localdate(),
    ),
    "engagement.Area": lambda: AreaFactory(name=f"{SECRET} Court", slug="zephyrine-court"),
    "engagement.ConcernTheme": lambda: ConcernTheme.objects.create(name=f"{SECRET} litter"),
    "engagement.Engagement": lambda: Engagement.objects.create(
        mode=Engagement.Mode.FORUM_MEETING,
        title=f"Forum at {SECRET} Hall",
        occurred_on=timezone.localdate(),
    ),
    "engagement.MediaEnquiry": lambda: MediaEnquiry.objects.create(
        outlet=f"{SECRET} Gazette",
        journalist="Sam Whitley",
        question="How many arrests?",
        deadline=timezone.now() + datetime.timedelta(hours=3),
    ),
    "engagement.Operation": lambda: OperationFactory(
        name=f"Operation {SECRET}", slug="operation-zephyrine"
    ),
    "engagement.Stakeholder": lambda: StakeholderFactory(name=f"Councillor {SECRET}"),
    "evaluation.CrimeArea": lambda: CrimeArea.objects.create(name=f"{SECRET} estate"),
    "evaluation.Evaluation": _evaluation,
    "printing.PrintTemplate": lambda: PrintTemplateFactory(name=f"{SECRET} leaflet"),
    "surveys.SurveyWave": lambda: SurveyWaveFactory(
        area=AreaFactory(name=f"{SECRET} Rise", slug="zephyrine-rise")
    ),
}


def bulk_url(obj, action):
    opts = obj._meta
    return f"/admin/bulk/{opts.app_label}/{opts.model_name}/{action}/?id={obj.pk}"


def assert_names_nothing(response, obj):
    body = response.content.decode()
    assert SECRET not in body, f"{obj._meta.label} {response.request['PATH_INFO']}"
    assert str(obj) not in body


def test_every_registered_snippet_model_is_covered():
    registered = {model._meta.label for model in get_snippet_models()}
    assert registered == set(SNIPPETS)


@pytest.mark.parametrize("role", ["partner_viewer", "neighbourhood_officer"])
@pytest.mark.parametrize("label", sorted(SNIPPETS))
def test_snippet_bulk_delete_names_and_deletes_nothing(client, request, role, label):
    obj = SNIPPETS[label]()
    model = type(obj)
    client.force_login(request.getfixturevalue(role))
    url = bulk_url(obj, "delete")
    assert bulk_action_registry.get_bulk_action_class(
        model._meta.app_label, model._meta.model_name, "delete"
    )

    shown = client.get(url)
    assert shown.status_code in (302, 403)
    assert_names_nothing(shown, obj)
    assert_names_nothing(client.get(url, follow=True), obj)

    done = client.post(url, follow=True)
    assert_names_nothing(done, obj)
    assert model.objects.filter(pk=obj.pk).exists()


def test_snippet_bulk_delete_still_works_for_those_who_may(client, comms_officer):
    theme = ConcernTheme.objects.create(name=f"{SECRET} needles")
    client.force_login(comms_officer)
    url = bulk_url(theme, "delete")
    assert SECRET in client.get(url).content.decode()
    client.post(url)
    assert not ConcernTheme.objects.filter(pk=theme.pk).exists()


@pytest.fixture
def draft_release(comms_officer):
    from tests.conftest import ensure_migrated_data

    home = ensure_migrated_data()
    newsroom = NewsroomPage(title="News", slug="news", introduction="Releases.")
    home.add_child(instance=newsroom)
    newsroom.save_revision().publish()
    release = PressReleasePage(
        title=f"Raids on {SECRET} Lane",
        summary="Warrants executed.",
        body=[("paragraph", "<p>Eleven warrants.</p>")],
        owner=comms_officer,
        live=False,
    )
    newsroom.add_child(instance=release)
    release.save_revision(user=comms_officer)
    return release


@pytest.mark.parametrize("role", ["partner_viewer", "neighbourhood_officer"])
@pytest.mark.parametrize("action", ["delete", "move", "publish", "unpublish"])
def test_page_bulk_actions_name_no_draft(client, request, draft_release, role, action):
    client.force_login(request.getfixturevalue(role))
    url = bulk_url(draft_release, action).replace(
        "/engagement/pressreleasepage/", "/wagtailcore/page/"
    )
    assert_names_nothing(client.get(url, follow=True), draft_release)
    assert_names_nothing(client.post(url, follow=True), draft_release)
    draft_release.refresh_from_db()
    assert not draft_release.live


@pytest.fixture
def image(comms_officer):
    return get_image_model().objects.create(
        title=f"{SECRET} raid photo", file=get_test_image_file(), uploaded_by_user=comms_officer
    )


@pytest.fixture
def document(comms_officer):
    return get_document_model().objects.create(
        title=f"{SECRET} briefing",
        file=ContentFile(b"briefing", name="briefing.txt"),
        uploaded_by_user=comms_officer,
    )


@pytest.mark.parametrize("role", ["partner_viewer", "neighbourhood_officer"])
@pytest.mark.parametrize("kind", ["image", "document"])
@pytest.mark.parametrize("action", ["delete", "add_tags", "add_to_collection"])
def test_image_and_document_bulk_actions_name_nothing(client, request, role, kind, action):
    obj = request.getfixturevalue(kind)
    client.force_login(request.getfixturevalue(role))
    url = bulk_url(obj, action)
    assert_names_nothing(client.get(url, follow=True), obj)
    assert_names_nothing(client.post(url, {"tags": "seized"}, follow=True), obj)
    assert type(obj).objects.filter(pk=obj.pk, tags__isnull=True).exists()


@pytest.mark.parametrize("role", ["partner_viewer", "neighbourhood_officer", "analyst"])
@pytest.mark.parametrize("action", ["delete", "assign_role", "set_active_state"])
def test_user_bulk_actions_name_no_one(client, request, role, action):
    person = get_user_model().objects.create_user(
        username="zeph", first_name=SECRET, last_name="Quill", email="zeph@example.org"
    )
    client.force_login(request.getfixturevalue(role))
    url = bulk_url(person, action)
    assert_names_nothing(client.get(url, follow=True), person)
    assert_names_nothing(client.post(url, {"mark_as_active": "False"}, follow=True), person)
    person.refresh_from_db()
    assert person.is_active
