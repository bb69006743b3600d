"""Single-use household codes, as the printing app issues them for leaflets."""

import datetime
import math

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from surveys.models import ResponseCode
from surveys.services import CODE_ALPHABET, response_codes_issue
from tests.factories import AreaFactory, OperationFactory

pytestmark = pytest.mark.django_db


def test_codes_are_issued_in_bulk_unique_and_from_the_readable_alphabet(
    wave, django_assert_max_num_queries
):
    # A fixed number of queries, plus one insert per batch the database allows: one on
    # PostgreSQL; several on SQLite, which caps a statement at 999 parameters.
    fields = [f for f in ResponseCode._meta.concrete_fields if not f.primary_key]
    per_insert = min(2000, connection.ops.bulk_batch_size(fields, [None] * 1200))
    with django_assert_max_num_queries(7 + math.ceil(1200 / per_insert)):
        codes = response_codes_issue(wave=wave, count=1200, print_run=42)
    assert len(codes) == 1200
    assert all(code.pk for code in codes)
    values = [code.code for code in codes]
    assert len(set(values)) == 1200
    assert all(len(v) == 8 and set(v) <= set(CODE_ALPHABET) for v in values)
    assert ResponseCode.objects.filter(wave=wave, print_run_id=42, used=False).count() == 1200


def test_a_second_issue_never_repeats_a_code(wave):
    first = {c.code for c in response_codes_issue(wave=wave, count=300)}
    second = {c.code for c in response_codes_issue(wave=wave, count=300)}
    assert not first & second
    assert ResponseCode.objects.count() == 600


@pytest.mark.parametrize("count", [0, -3, 50_001])
def test_an_impossible_quantity_is_refused_and_nothing_is_stored(wave, count):
    with pytest.raises(ValueError, match="between 1 and 50,000"):
        response_codes_issue(wave=wave, count=count)
    assert not ResponseCode.objects.exists()


def test_the_survey_address_carries_the_code(wave, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://safer.example.org"
    [code] = response_codes_issue(wave=wave, count=1)
    assert wave.public_path == "/survey/eastfield-before/"
    assert wave.get_public_url() == "https://safer.example.org/survey/eastfield-before/"
    expected = f"https://safer.example.org/survey/eastfield-before/#{code.code}"
    assert wave.get_public_url(code=code.code) == expected
    assert wave.get_public_url(code=code) == expected
    assert code.get_public_url() == expected
    assert code.display == f"{code.code[:4]}-{code.code[4:]}"


def test_a_wave_closing_before_it_opens_or_outside_its_operation_is_refused(wave):
    wave.closes_on = wave.opens_on - datetime.timedelta(days=1)
    wave.operation = OperationFactory(areas=[AreaFactory()])
    with pytest.raises(ValidationError) as caught:
        wave.full_clean()
    assert "closing date" in str(caught.value.message_dict["closes_on"])
    assert "does not cover" in str(caught.value.message_dict["operation"])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_code_raced_by_two_submissions_is_spent_once():
    import threading

    from django.db import connection

    from surveys.models import PendingResponse
    from surveys.services import CodeError, response_submit

    from .factories import SurveyWaveFactory, survey_page_create

    wave = SurveyWaveFactory(survey=survey_page_create(), slug="race")
    [code] = response_codes_issue(wave=wave, count=1)
    barrier = threading.Barrier(6)
    outcomes = []

    def submit():
        try:
            barrier.wait()
            response_submit(wave=wave, answers={"safe_after_dark": ["very_safe"]}, code=code.code)
            outcomes.append("stored")
        except CodeError as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("stored") == 1
    assert sum("already been used" in o for o in outcomes) == 5
    assert PendingResponse.objects.filter(wave=wave).count() == 1


def test_analyst_issues_codes_from_the_admin_as_a_spreadsheet(
    client, analyst, wave, partner_viewer
):
    import csv
    import io

    from django.urls import reverse

    client.force_login(analyst)
    url = reverse("surveys_issue_codes")
    assert client.get(url).status_code == 200
    refused = client.post(url, {"wave": wave.pk, "count": 0})
    assert "greater than or equal to 1" in refused.content.decode()
    response = client.post(url, {"wave": wave.pk, "count": 25})
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == ["code", "address"] and len(rows) == 26
    stored = set(ResponseCode.objects.filter(wave=wave).values_list("code", flat=True))
    assert {r[0].replace("-", "") for r in rows[1:]} == stored
    assert rows[1][1] == f"http://testserver/survey/eastfield-before/#{rows[1][0].replace('-', '')}"
    client.force_login(partner_viewer)
    assert client.get(url).status_code == 302
