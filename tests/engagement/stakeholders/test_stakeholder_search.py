"""The register's search finds stakeholders however they arrived: added in the admin,
edited, imported from CSV (indexed in one bulk write), and forgets deleted ones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagement.models import Stakeholder
from tests.factories import AreaFactory

from .test_stakeholder_admin import ADD, EDIT, INDEX, form_data
from .test_stakeholder_import import csv_bytes, good_row, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def eastfield(db):
    return AreaFactory(name="Eastfield", slug="eastfield")


def listed(client, query: str) -> list[str]:
    response = client.get(reverse(INDEX), {"q": query})
    assert response.status_code == 200
    return sorted(s.name for s in response.context["object_list"])


def test_a_stakeholder_added_edited_and_deleted_in_the_admin_is_searched_as_it_is(
    client, comms_officer
):
    client.force_login(comms_officer)
    client.post(reverse(ADD), form_data(name="Councillor Joan Avery"))
    stakeholder = Stakeholder.objects.get()
    assert listed(client, "Avery") == ["Councillor Joan Avery"]

    client.post(reverse(EDIT, args=[stakeholder.pk]), form_data(name="Councillor Joan Whitlock"))
    assert listed(client, "Whitlock") == ["Councillor Joan Whitlock"]
    assert listed(client, "Avery") == []

    stakeholder.delete()
    assert listed(client, "Whitlock") == []


def test_imported_stakeholders_are_found_and_indexed_in_one_write(client, comms_officer, eastfield):
    client.force_login(comms_officer)
    rows = [
        good_row(Name=f"Tenants' rep {n}", Organisation=f"Block {n} tenants", Email="")
        for n in range(12)
    ]
    with CaptureQueriesContext(connection) as captured:
        response = upload(client, csv_bytes(rows))
    # The database backend recomputes title norms over the whole index on each write:
    # once for the import, not once per row. (Read before the next request clears the log.)
    title_norm_updates = [
        q
        for q in captured.captured_queries
        if q["sql"].startswith('UPDATE "wagtailsearch_indexentry"')
    ]
    assert response.status_code == 302
    assert Stakeholder.objects.count() == 12
    assert len(listed(client, "Tenants")) == 12
    assert listed(client, "Block 7") == ["Tenants' rep 7"]
    if connection.vendor == "postgresql":
        assert len(title_norm_updates) == 1


def test_an_import_that_fails_part_way_leaves_nothing_in_the_index(
    client, comms_officer, eastfield, monkeypatch
):
    from engagement.stakeholders import services

    client.force_login(comms_officer)
    calls = {"n": 0}
    real = services.stakeholder_assess

    def fail_on_third(**kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(services, "stakeholder_assess", fail_on_third)
    rows = [good_row(Name=f"Shopkeeper {n}", Organisation=f"Shop {n}") for n in range(5)]
    with pytest.raises(RuntimeError):
        upload(client, csv_bytes(rows))
    monkeypatch.undo()
    assert not Stakeholder.objects.exists()
    assert listed(client, "Shopkeeper") == []
