"""The raw responses download streams: rows written as they come from the database, in
the same few queries for three responses or three hundred."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from signpost.models import PreparedExport

from surveys.models import SurveyWave

from .factories import SurveyWaveFactory, responses_add

pytestmark = pytest.mark.django_db


def read(data: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(data.decode())))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


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


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_large_raw_export_is_prepared_in_the_background_with_the_same_rows(
    client, analyst, survey, settings, django_capture_on_commit_callbacks, fmt
):
    baseline = SurveyWaveFactory(survey=survey, slug="b", kind=SurveyWave.BASELINE)
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    responses_add(baseline, {"safe_after_dark": {"very_safe": 4, "very_unsafe": 2}})
    responses_add(follow_up, {"safe_after_dark": {"fairly_safe": 5}})
    url = reverse("surveys_compare_raw", args=[baseline.pk, follow_up.pk, fmt])
    client.force_login(analyst)

    settings.SIGNPOST_EXPORT_INLINE_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url)
    assert response.status_code == 302 and response["Location"] == reverse("signpost_downloads")
    export = PreparedExport.objects.get()
    assert (export.user, export.status, export.row_count) == (analyst, "ready", 11)
    download = client.get(reverse("signpost_download", args=[export.pk]))
    prepared = read(b"".join(download.streaming_content), fmt)

    settings.SIGNPOST_EXPORT_INLINE_ROWS = 11
    inline = client.get(url)
    assert inline.status_code == 200 and inline.streaming
    assert prepared == read(b"".join(inline.streaming_content), fmt)
    assert len(prepared) == 1 + 11
