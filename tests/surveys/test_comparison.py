"""The analyst's comparison in the Wagtail admin, its exports and its permissions."""

import csv
import difflib
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from surveys.models import Answer, SurveyWave
from surveys.services import response_submit

from .conftest import responses_flush_all
from .factories import SurveyWaveFactory, responses_add

pytestmark = pytest.mark.django_db


def compare_url(waves, name="surveys_compare", **extra):
    baseline, follow_up = waves
    return reverse(name, kwargs={"baseline": baseline.pk, "follow_up": follow_up.pk, **extra})


def test_analyst_reads_an_honest_comparison(client, analyst, waves, django_assert_max_num_queries):
    client.force_login(analyst)
    response = client.get(compare_url(waves))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The baseline had 300 responses (25.0% of 1,200 households)." in html
    # The real change is reported as a change, never as proof of cause.
    assert "rose from 40% to 63%" in html
    assert "not proof that the operation caused it" in html
    # The steady question is reported as no detectable change, with the detectable size.
    assert "No change detectable at this sample size" in html
    assert "went from 35% to 35%" in html
    # Charts are SVG, titled, with a table of the same figures.
    # One chart of changes, one per choice question (4).
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 5
    assert 'role="img"' in html and "<caption>" in html
    # Every count below 10, zero included, is hidden with a partner from its total: the
    # baseline's 4 and the follow-up's 0 "don't know" on safety, both waves' 0 "don't
    # know" on drugs, the baseline's 7 emails (two cells each), and the multiple-choice
    # question nobody answered (three cells a wave).
    assert html.count(">suppressed</abbr>") == 2 * 5 + 3 * 2
    assert "fewer than 10" in html
    with django_assert_max_num_queries(16):
        client.get(compare_url(waves))


def test_query_count_does_not_grow_with_responses(
    client, analyst, waves, django_assert_num_queries
):
    client.force_login(analyst)
    client.get(compare_url(waves))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(compare_url(waves))
    responses_add(waves[1], {"safe_after_dark": {"very_safe": 500}})
    with CaptureQueriesContext(connection) as after:
        client.get(compare_url(waves))
    assert len(after) == len(before)


def test_the_comparison_figures_match_the_stored_answers(analyst, waves):
    from surveys.selectors import comparison_build

    comparison = comparison_build(baseline=waves[0], follow_up=waves[1])
    safe = next(q for q in comparison.questions if q.question.key == "safe_after_dark")
    assert (safe.baseline.positive, safe.baseline.base) == (120, 300)
    assert (safe.follow_up.positive, safe.follow_up.base) == (190, 300)
    assert safe.change.significant
    problem = next(q for q in comparison.questions if q.question.key == "drugs_problem")
    assert not problem.change.significant
    assert problem.change.lower < 0 < problem.change.upper


def test_only_people_allowed_to_read_results_see_them(
    client, waves, partner_viewer, neighbourhood_officer
):
    # Wagtail turns a refusal into a redirect to the dashboard with a message.
    refused = {"status_code": 302, "Location": "/admin/"}
    client.force_login(neighbourhood_officer)
    response = client.get(compare_url(waves))
    assert {"status_code": response.status_code, "Location": response["Location"]} == refused
    client.force_login(partner_viewer)
    assert client.get(compare_url(waves)).status_code == 200
    response = client.get(compare_url(waves, "surveys_compare_raw", fmt="csv"))
    assert {"status_code": response.status_code, "Location": response["Location"]} == refused


def test_aggregate_csv_keeps_suppression(client, analyst, waves):
    client.force_login(analyst)
    response = client.get(compare_url(waves, "surveys_compare_export", fmt="csv"))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    header = rows[0]
    col = {name: header.index(name) for name in header}
    assert rows[1][: col["baseline_count"] + 1] == ["", "Responses", "responses", "", "", "300"]
    email = next(r for r in rows if r[0] == "how_heard" and r[col["answer_key"]] == "email")
    assert email[col["answer"]] == "An email"
    assert email[col["baseline_count"]] == "suppressed" and email[col["follow_up_count"]] == "20"
    share = next(r for r in rows if r[0] == "safe_after_dark" and r[2] == "positive share")
    # The positive share's count is the positive answers; its base is who answered.
    assert share[col["baseline_count"]] == "120" and share[col["baseline_base"]] == "300"
    assert share[col["baseline_percent"]] == "40.0" and share[col["follow_up_percent"]] == "63.3"
    assert share[col["change_points"]] == "23.3"
    assert share[col["p_value"]] == "< 0.001" and share[col["p_value_holm_adjusted"]] == "< 0.001"
    assert "7" not in [r[col["baseline_count"]] for r in rows if r[0] == "how_heard"]


def test_aggregate_xlsx_opens_with_the_same_figures(client, analyst, waves):
    client.force_login(analyst)
    response = client.get(compare_url(waves, "surveys_compare_export", fmt="xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(response.getvalue()))
    assert workbook.sheetnames == ["Survey comparison"]
    rows = [list(row) for row in workbook.active.iter_rows(values_only=True)]
    assert rows[0][0] == "question_key"
    share = next(r for r in rows if r[0] == "safe_after_dark" and r[2] == "positive share")
    assert share[rows[0].index("baseline_percent")] == 40.0
    assert share[rows[0].index("p_value")] == "< 0.001"
    assert client.get(compare_url(waves, "surveys_compare_export", fmt="exe")).status_code == 404


def test_raw_responses_export_is_anonymous_and_formula_safe(client, analyst, waves):
    baseline, follow_up = waves
    response_submit(
        wave=follow_up,
        answers={"safe_after_dark": ["very_safe"], "one_thing": '=HYPERLINK("http://x")'},
    )
    responses_flush_all()
    client.force_login(analyst)
    response = client.get(compare_url(waves, "surveys_compare_raw", fmt="csv"))
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0][:5] == [
        "wave",
        "language",
        "safe_after_dark",
        "safe_after_dark (wording)",
        "drugs_problem",
    ]
    problem = rows[0].index("drugs_problem")
    fairly = next(r for r in rows[1:] if r[problem] == "fairly_big")
    assert fairly[problem + 1] == "A fairly big problem"
    assert len(rows) == 1 + 300 + 301
    column = rows[0].index("one_thing")
    assert [r[column] for r in rows[1:] if r[column]] == ['\'=HYPERLINK("http://x")']
    assert not any("203.0.113" in cell for r in rows for cell in r)
    xlsx = client.get(compare_url(waves, "surveys_compare_raw", fmt="xlsx"))
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.getvalue()))
    assert workbook.sheetnames == ["Anonymous responses"]
    assert workbook.active.max_row == 1 + 300 + 301


def test_choosing_waves_leads_to_the_comparison(client, analyst, waves):
    client.force_login(analyst)
    page = client.get(reverse("surveys_compare_choose"))
    assert page.status_code == 200 and "Before (baseline)" in page.content.decode()
    same = client.post(
        reverse("surveys_compare_choose"), {"baseline": waves[0].pk, "follow_up": waves[0].pk}
    )
    assert "Choose two different waves." in same.content.decode()
    response = client.post(
        reverse("surveys_compare_choose"), {"baseline": waves[0].pk, "follow_up": waves[1].pk}
    )
    assert response["Location"] == compare_url(waves)


def test_answers_stay_countable_by_key(waves):
    assert Answer.objects.filter(wave=waves[0], question_key="safe_after_dark").count() == 300


def test_an_answer_retired_before_the_follow_up_still_compares(client, analyst, waves):
    """The baseline holds an answer the question no longer offers; the follow-up does not.
    Both waves show the same rows, the retired answer among them."""
    baseline, _ = waves
    responses_add(baseline, {"safe_after_dark": {"varies": 15}})
    client.force_login(analyst)
    response = client.get(compare_url(waves))
    assert response.status_code == 200
    assert "varies" in response.content.decode()
    export = client.get(compare_url(waves, "surveys_compare_export", fmt="csv"))
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(export.getvalue().decode("utf-8-sig"))))
    assert any("varies" in " ".join(row) for row in rows)


def test_table_text_and_adjustment_agree(client, analyst, waves):
    client.force_login(analyst)
    html = client.get(compare_url(waves)).content.decode()
    # The same figure in the table and in the verdict, one decimal in both.
    assert '<td class="num">+23.3</td>' in html
    assert "rose from 40% to 63% (+23.3 points, 97.5% confidence interval" in html
    # Two questions compared: Holm's adjustment, said on the page and used by the verdict.
    assert "adjusted for multiple comparisons by Holm&#x27;s method" in html
    assert "p &lt; 0.001 after Holm&#x27;s adjustment" in html
    assert "−0.0" not in html and "+0 points" not in html


def test_one_small_comparison_says_so_in_plain_grammar(survey):
    from surveys.selectors import comparison_build

    baseline = SurveyWaveFactory(survey=survey, slug="b1", kind=SurveyWave.BASELINE)
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f1", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    responses_add(baseline, {"safe_after_dark": {"very_safe": 30, "very_unsafe": 40}})
    responses_add(follow_up, {"safe_after_dark": {"very_safe": 31, "very_unsafe": 39}})
    comparison = comparison_build(baseline=baseline, follow_up=follow_up)
    text = " ".join(comparison.summary)
    assert "The question compared shows no change that this sample could detect." in text
    assert "None of the 1 questions" not in text
    assert "The survey was too small to detect changes of ordinary size" in text
    assert "Holm" not in text
    safe = next(q for q in comparison.questions if q.question.key == "safe_after_dark")
    assert "(+1.4 points, 95% confidence interval" in safe.verdict


def test_fewer_than_ten_responses_are_not_printed(client, analyst, survey):
    baseline = SurveyWaveFactory(survey=survey, slug="b2", kind=SurveyWave.BASELINE)
    follow_up = SurveyWaveFactory(
        survey=survey, slug="f2", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    responses_add(baseline, {"safe_after_dark": {"very_safe": 4, "very_unsafe": 3}})
    responses_add(follow_up, {"safe_after_dark": {"very_safe": 30, "very_unsafe": 40}})
    client.force_login(analyst)
    html = client.get(compare_url((baseline, follow_up))).content.decode()
    assert 'data-figure="baseline-responses">fewer than 10<' in html
    assert "The baseline had fewer than 10 responses." in html
    export = client.get(compare_url((baseline, follow_up), "surveys_compare_export", fmt="csv"))
    rows = list(csv.reader(io.StringIO(export.getvalue().decode())))
    assert rows[1][5] == "fewer than 10"
    assert not any(r[5] in {"3", "4", "7"} for r in rows[1:])


def test_one_new_answer_changes_nothing_anyone_sees(client, analyst, partner_viewer, waves):
    """Render the comparison and its download, add one response, render again: the same
    page and the same file. Only the analysts' live view, marked live, moves; the
    published figures move once at least the threshold of new responses have arrived."""
    baseline, follow_up = waves
    client.force_login(partner_viewer)

    def figures(html: str) -> str:
        # The page's figures; charts are numbered afresh on each render.
        shown = html.split('<div class="survey-comparison">')[1].split("</main>")[0]
        return re.sub(r"chart-(title|desc)-\d+", "chart", shown)

    def seen():
        page = figures(client.get(compare_url(waves)).content.decode())
        csv_file = client.get(compare_url(waves, "surveys_compare_export", fmt="csv")).getvalue()
        return page, csv_file

    before = seen()
    response_submit(wave=follow_up, answers={"safe_after_dark": ["very_unsafe"]})
    responses_flush_all()
    now = seen()
    assert now[1] == before[1]
    assert now[0] == before[0], "".join(
        difflib.unified_diff(before[0].splitlines(True), now[0].splitlines(True))
    )
    client.force_login(analyst)
    live = client.get(compare_url(waves) + "?live=1").content.decode()
    assert "Live view." in live and '<td class="num" data-figure="follow-up-responses">301<' in live
    assert (
        "?live=1"
        not in client.get(compare_url(waves, "surveys_compare_export", fmt="csv"))[
            "Content-Disposition"
        ]
    )
    # A partner asking for the live view gets the published figures.
    client.force_login(partner_viewer)
    again = figures(client.get(compare_url(waves) + "?live=1").content.decode())
    assert again == before[0], "".join(
        difflib.unified_diff(before[0].splitlines(True), again.splitlines(True))
    )

    for _ in range(9):
        response_submit(wave=follow_up, answers={"safe_after_dark": ["very_unsafe"]})
    responses_flush_all()
    after = seen()
    assert after != before
    assert '<td class="num" data-figure="follow-up-responses">310<' in after[0]
    published = list(follow_up.results.values_list("responses", flat=True))
    assert sorted(published) == [300, 310]
