"""No stored answer can be joined to the household code that let it in: not by
PostgreSQL's transaction ids, not by a date, not by id order, not by the export's order,
and no log line, cache key or task message holds a code beside an answer.

Residents answer through the real form; the answers are stored by the real flush, in
committed transactions, on PostgreSQL."""

import inspect
import logging
import pickle

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from surveys import tasks
from surveys.models import Answer, PendingResponse, Response, ResponseCode
from surveys.selectors import raw_responses, raw_responses_header
from surveys.services import response_codes_issue, responses_flush

from .factories import SurveyWaveFactory, survey_page_create

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def _answer(wave, code: str, n: int) -> None:
    client = Client(REMOTE_ADDR=f"198.51.100.{n}")
    response = client.post(
        wave.public_path,
        {
            "code": code,
            "q_safe_after_dark": "fairly_safe",
            "q_drugs_problem": "very_big",
            "q_one_thing": f"resident {n:02d}",
        },
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _xmins(table: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text::bigint FROM {table}")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _temporal_columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "AND (data_type LIKE 'timestamp%%' OR data_type IN ('date', 'time', 'interval'))",
            [table],
        )
        return [row[0] for row in cursor.fetchall()]


def test_no_join_links_a_stored_answer_to_its_code(caplog, settings):
    settings.SURVEYS_RESPONSE_BATCH_MIN = 10
    wave = SurveyWaveFactory(survey=survey_page_create(), slug="unlinkable")
    codes = [c.code for c in response_codes_issue(wave=wave, count=24, print_run=7)]
    caplog.set_level(logging.DEBUG)

    # Nine answers are fewer than a batch: they wait, and nothing about them is counted.
    for n, code in enumerate(codes[:9]):
        _answer(wave, code, n)
    assert responses_flush() == 0
    assert not Response.objects.exists() and PendingResponse.objects.count() == 9
    for n, code in enumerate(codes[9:], start=9):
        _answer(wave, code, n)
    assert responses_flush() == 24
    assert not PendingResponse.objects.exists()
    assert ResponseCode.objects.filter(wave=wave, used=True).count() == 24

    # Transaction ids: the whole batch was written by one transaction that spent no code.
    response_xmins = set(_xmins("surveys_response")) | set(_xmins("surveys_answer"))
    assert len(response_xmins) == 1
    assert not response_xmins & set(_xmins("surveys_responsecode"))

    # Order: neither ids nor the export's order follow the order residents answered in.
    in_id_order = list(
        Answer.objects.filter(question_key="one_thing")
        .order_by("response_id")
        .values_list("text", flat=True)
    )
    submitted = [f"resident {n:02d}" for n in range(24)]
    assert sorted(in_id_order) == submitted
    assert in_id_order not in (submitted, submitted[::-1])
    questions = wave.survey.get_questions()
    column = raw_responses_header(questions).index("one_thing")
    exported = [row[column] for row in raw_responses([wave], questions)]
    assert sorted(exported) == submitted and exported not in (submitted, in_id_order)

    # Time: no date or time is kept with an answer, and a code keeps only that it was used.
    for table in ("surveys_response", "surveys_answer", "surveys_pendingresponse"):
        assert _temporal_columns(table) == []
    assert _temporal_columns("surveys_responsecode") == ["issued_on"]
    assert {str(d) for d in ResponseCode.objects.values_list("issued_on", flat=True)} == {
        str(ResponseCode.objects.first().issued_on)
    }

    # Logs, cache keys and task messages hold no code and no answer.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    secrets_held = codes + submitted
    assert not [s for s in secrets_held if s in logged]
    cached = pickle.dumps(dict(cache._cache)) + repr(list(cache._cache)).encode()
    assert not [s for s in secrets_held if s.encode() in cached]
    assert list(inspect.signature(tasks.responses_flush).parameters) == []


def test_a_closed_waves_last_few_answers_are_stored_with_the_whole_wave(settings):
    settings.SURVEYS_RESPONSE_BATCH_MIN = 10
    wave = SurveyWaveFactory(survey=survey_page_create(), slug="closing")
    codes = [c.code for c in response_codes_issue(wave=wave, count=13, print_run=8)]
    for n, code in enumerate(codes[:10]):
        _answer(wave, code, n)
    assert responses_flush() == 10
    first_batch = set(_xmins("surveys_response"))
    for n, code in enumerate(codes[10:], start=10):
        _answer(wave, code, n)
    # Three more, and the wave closes: they are not written as a batch of three.
    assert responses_flush() == 0
    wave.closes_on = wave.opens_on
    wave.save()
    assert responses_flush() == 3
    xmins = set(_xmins("surveys_response"))
    assert len(xmins) == 1 and not xmins & first_batch
    assert Response.objects.filter(wave=wave).count() == 13
    assert Answer.objects.filter(wave=wave, question_key="one_thing").count() == 13
    assert not xmins & set(_xmins("surveys_responsecode"))


@pytest.mark.django_db(transaction=False)
def test_the_production_access_log_keeps_no_query_string():
    from pathlib import Path

    config: dict = {}
    exec((Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py").read_text(), config)  # noqa: S102
    assert "%(U)s" in config["access_log_format"]
    assert "%(r)s" not in config["access_log_format"] and "%(q)s" not in config["access_log_format"]
