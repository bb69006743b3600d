"""The raw responses download streams: rows written as they come from the database, in
the same few queries for three responses or three hundred."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from surveys.models import SurveyWave

from .factories import SurveyWaveFactory, responses_add

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_raw_export_takes_as_many_queries_for_many_responses(client, analyst, survey, fmt):
    baseline = SurveyWaveFactory(survey=survey, slug="b", kind=SurveyWave.BASELINE)
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    url = reverse("surveys_compare_raw", args=[baseline.pk, follow_up.pk, fmt])
    client.force_login(analyst)

    def download() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200 and response.streaming
            data = b"".join(response.streaming_content)
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(data.decode())))
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(data)).active
            rows = [[c.value for c in row] for row in sheet.iter_rows()]
        return len(captured), rows

    responses_add(baseline, {"safe_after_dark": {"very_safe": 2, "very_unsafe": 1}})
    few, rows = download()
    assert len(rows) == 1 + 3
    header = rows[0]
    wording = header.index("safe_after_dark (wording)")
    assert {row[wording] for row in rows[1:]} == {"Very safe", "Very unsafe"}

    responses_add(baseline, {"safe_after_dark": {"very_safe": 150}})
    responses_add(follow_up, {"safe_after_dark": {"fairly_safe": 150}})
    many, rows = download()
    assert len(rows) == 1 + 303
    assert many == few
