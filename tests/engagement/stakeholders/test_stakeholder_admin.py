"""The stakeholder register through the Wagtail admin, as each role uses it."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from engagement.models import Stakeholder, StakeholderAlert
from tests.downloads import downloaded
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory
from tests.refusals import assert_refused

pytestmark = pytest.mark.django_db

INDEX = "wagtailsnippets_engagement_stakeholder:list"
ADD = "wagtailsnippets_engagement_stakeholder:add"
EDIT = "wagtailsnippets_engagement_stakeholder:edit"
INSPECT = "wagtailsnippets_engagement_stakeholder:inspect"


def form_data(**overrides):
    data = {
        "name": "Councillor Joan Avery",
        "organisation": "Harbridge Borough Council",
        "position": "Ward councillor, Eastfield",
        "stakeholder_type": "elected_member",
        "notes": "",
        "tags": "",
        "email": "joan.avery@example.org",
        "phone": "01632 960123",
        "address": "",
        "preferred_channel": "email",
        "lawful_basis": "public_task",
        "consent_recorded_on": "",
        "score_interest": "4",
        "score_influence": "5",
        "score_assessed_on": "",
        "score_reason": "Chairs the Eastfield ward panel and asked for monthly updates.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_comms_officer_adds_a_stakeholder_with_a_first_assessment(client, comms_officer):
    area = AreaFactory(name="Eastfield", slug="eastfield")
    client.force_login(comms_officer)
    response = client.post(reverse(ADD), form_data(areas=[area.pk]))
    assert response.status_code == 302, response.context["form"].errors
    stakeholder = Stakeholder.objects.get()
    assert (stakeholder.interest, stakeholder.influence) == (4, 5)
    assert stakeholder.quadrant == "involve"
    assert list(stakeholder.areas.all()) == [area]
    assessment = stakeholder.assessments.get()
    assert assessment.assessed_by == comms_officer
    assert "ward panel" in assessment.reason


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"score_interest": "6"}, "score_interest", "Select a valid choice"),
        ({"score_influence": "0"}, "score_influence", "Select a valid choice"),
        ({"lawful_basis": ""}, "lawful_basis", "This field is required"),
        ({"score_reason": ""}, "score_reason", "Say why"),
        ({"score_influence": None}, "score_influence", "Score both"),
        (
            {"lawful_basis": "consent"},
            "consent_to_contact",
            "consent must be recorded",
        ),
        ({"score_assessed_on": "2999-01-01"}, "score_assessed_on", "future"),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(
    client, comms_officer, overrides, field, message
):
    client.force_login(comms_officer)
    response = client.post(reverse(ADD), form_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert not Stakeholder.objects.exists()


def test_the_same_name_and_organisation_cannot_be_added_twice(client, comms_officer):
    StakeholderFactory(name="Councillor Joan Avery", organisation="Harbridge Borough Council")
    client.force_login(comms_officer)
    response = client.post(reverse(ADD), form_data(name="councillor joan avery"))
    assert response.status_code == 200
    assert "already in the register" in " ".join(response.context["form"].errors["name"])
    assert Stakeholder.objects.count() == 1


def test_rescoring_in_the_admin_records_an_assessment_and_raises_one_alert(
    client, comms_officer, django_capture_on_commit_callbacks
):
    from django.core import mail

    stakeholder = StakeholderFactory(
        name="Canal Quarter Traders",
        stakeholder_type="local_business",
        scores=(2, 2),
        lawful_basis="legitimate_interests",
    )
    client.force_login(comms_officer)
    data = form_data(
        name=stakeholder.name,
        organisation=stakeholder.organisation,
        stakeholder_type="local_business",
        lawful_basis="legitimate_interests",
        score_interest="4",
        score_influence="2",
        score_reason="Petition about dealing outside the shops",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse(EDIT, args=[stakeholder.pk]), data)
    assert response.status_code == 302
    stakeholder.refresh_from_db()
    assert stakeholder.quadrant == "consult"
    assert stakeholder.assessments.count() == 2
    assert StakeholderAlert.objects.filter(stakeholder=stakeholder).count() == 1
    assert len(mail.outbox) == 1

    # Saving the form again without changing the scores records nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(EDIT, args=[stakeholder.pk]),
            {**data, "notes": "Met the chair", "score_reason": ""},
        )
    assert response.status_code == 302
    assert stakeholder.assessments.count() == 2
    assert StakeholderAlert.objects.count() == 1
    assert len(mail.outbox) == 1


def test_listing_filters_by_quadrant_type_area_and_overdue_in_few_queries(
    client, comms_officer, django_assert_max_num_queries
):
    area = AreaFactory()
    involve = StakeholderFactory(name="Alpha", scores=(5, 5))
    involve.areas.add(area)
    involve.save()
    StakeholderFactory(name="Bravo", scores=(1, 1), stakeholder_type="media")
    for n in range(10):
        StakeholderFactory(name=f"Extra {n}", scores=(n % 5 + 1, 3))
    client.force_login(comms_officer)
    url = reverse(INDEX)
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200

    def names(params):
        response = client.get(url, params)
        return [s.name for s in response.context["object_list"]]

    assert "Alpha" in names({"quadrant": "involve"})
    assert "Bravo" not in names({"quadrant": "involve"})
    assert names({"quadrant": "watch", "stakeholder_type": "media"}) == ["Bravo"]
    assert names({"areas": area.pk}) == ["Alpha"]
    Stakeholder.objects.filter(name="Bravo").update(next_action_due="2020-01-01")
    assert names({"overdue": "true"}) == ["Bravo"]


def test_inspect_shows_strategy_next_action_and_history(client, comms_officer):
    stakeholder = StakeholderFactory(name="St Mary's Church", scores=(1, 1))
    client.force_login(comms_officer)
    client.post(
        reverse(EDIT, args=[stakeholder.pk]),
        form_data(
            name=stakeholder.name,
            organisation=stakeholder.organisation,
            lawful_basis="legitimate_interests",
            score_interest="2",
            score_influence="4",
            score_reason="New vicar sits on the council's community safety board",
        ),
    )
    response = client.get(reverse(INSPECT, args=[stakeholder.pk]))
    html = response.content.decode()
    assert "Inform" in html
    assert "newsletter" in html
    assert "Add to the newsletter list" in html
    assert "community safety board" in html
    assert "First assessment" in html


# --- Roles ----------------------------------------------------------------------------------


def test_neighbourhood_team_sees_the_register_without_contact_details(
    client, neighbourhood_officer
):
    stakeholder = StakeholderFactory(
        name="Eastfield Tenants", email="secret-tenants@example.org", phone="07700 900999"
    )
    client.force_login(neighbourhood_officer)

    listing = client.get(reverse(INDEX)).content.decode()
    assert "Eastfield Tenants" in listing
    assert "secret-tenants@example.org" not in listing
    assert "07700 900999" not in listing

    inspect = client.get(reverse(INSPECT, args=[stakeholder.pk])).content.decode()
    assert "Eastfield Tenants" in inspect
    assert "secret-tenants@example.org" not in inspect

    body = downloaded(client, reverse(INDEX), {"export": "csv"}).decode()
    assert "Eastfield Tenants" in body
    assert "secret-tenants@example.org" not in body
    assert "Email" not in body.splitlines()[0]

    # Cannot edit or add.
    assert_refused(client.get(reverse(EDIT, args=[stakeholder.pk])))
    assert_refused(client.post(reverse(ADD), form_data()))
    assert Stakeholder.objects.count() == 1


def test_comms_officer_and_approver_see_contacts_and_edit(client, comms_officer, approver):
    stakeholder = StakeholderFactory(email="visible@example.org")
    for user in (comms_officer, approver):
        client.force_login(user)
        assert "visible@example.org" in client.get(reverse(INDEX)).content.decode()
        assert client.get(reverse(EDIT, args=[stakeholder.pk])).status_code == 200


def test_partner_viewer_cannot_open_the_register(client, partner_viewer):
    stakeholder = StakeholderFactory(name="Private Person")
    client.force_login(partner_viewer)
    for url in (reverse(INDEX), reverse(INSPECT, args=[stakeholder.pk])):
        response = client.get(url)
        assert_refused(response)
        assert "Private Person" not in response.content.decode()


# --- Export ---------------------------------------------------------------------------------


def test_export_neutralises_spreadsheet_formulas(client, comms_officer):
    StakeholderFactory(
        name='=HYPERLINK("http://evil.example","click")', notes="+44 call me", scores=(3, 3)
    )
    client.force_login(comms_officer)

    rows = list(
        csv.reader(io.StringIO(downloaded(client, reverse(INDEX), {"export": "csv"}).decode()))
    )
    header, row = rows[0], rows[1]
    assert row[header.index("Name")] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[header.index("Notes")] == "'+44 call me"
    assert row[header.index("Quadrant")] == "Involve"
    assert row[header.index("Email")].endswith("@example.org")

    sheet = load_workbook(io.BytesIO(downloaded(client, reverse(INDEX), {"export": "xlsx"}))).active
    values = [[cell.value for cell in r] for r in sheet.iter_rows()]
    name_cell = values[1][values[0].index("Name")]
    assert name_cell.startswith("'=HYPERLINK")


def inspect_values(html: str) -> dict:
    """The inspect page's list of fields, label → shown value."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>\s*(.*?)\s*</dd>", html, re.S)
    return {label.strip(): value.strip() for label, value in pairs}


def test_inspect_says_yes_no_and_not_recorded_instead_of_python_values(client, comms_officer):
    stakeholder = StakeholderFactory(
        name="Canal Boaters' Association",
        position="",
        consent_to_contact=False,
        consent_recorded_on=None,
        newsletter_list=True,
        address="",
    )
    client.force_login(comms_officer)
    html = client.get(reverse(INSPECT, args=[stakeholder.pk])).content.decode()
    shown = inspect_values(html)
    assert shown["Consent to contact"] == "No"
    assert shown["On the newsletter list"] == "Yes"
    assert shown["Consent recorded on"] == "Not recorded"
    assert shown["Position"] == "Not recorded"
    assert shown["Areas"] == "Not recorded"
    for python_word in ("True", "False", "None"):
        assert python_word not in shown.values()


def test_saving_a_stakeholder_says_what_was_recorded_and_what_is_next(client, comms_officer):
    client.force_login(comms_officer)
    added = client.post(reverse(ADD), form_data(), follow=True)
    message = [m.message for m in added.context["messages"]][-1]
    assert message.startswith("Councillor Joan Avery saved. Assessment recorded")
    assert "(interest 4, influence 5)" in message and "Next: " in message and ", due " in message

    stakeholder = Stakeholder.objects.get()
    edited = client.post(
        reverse(EDIT, args=[stakeholder.pk]),
        form_data(position="Ward councillor, Northgate"),
        follow=True,
    )
    message = [m.message for m in edited.context["messages"]][-1]
    assert message.startswith("Councillor Joan Avery saved. Next: ")
    assert "Assessment recorded" not in message and "updated." not in message
