"""Report figures against the demo data counted independently, the sections the apps
answer for asked for the report's days, and query budgets that do not grow with the
data."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.activities.selectors import activity_section
from engagement.models import Activity, Stakeholder, StakeholderAssessment
from engagement.press.selectors import communications_section
from engagement.stakeholders.selectors import engagement_section, stakeholder_section
from newsletters.sending.selectors import newsletter_section
from printing.selectors import printing_section
from reports.periods import Period
from reports.selectors import dashboard_figures, report_figures
from surveys.selectors import survey_section

from .conftest import build_initiative_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_and_data(settings, today):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return build_initiative_data(4, today=today, tag="demo")


def _quadrant(interest, influence, threshold=3):
    if interest >= threshold:
        return "involve" if influence >= threshold else "consult"
    return "inform" if influence >= threshold else "watch"


def test_stakeholder_figures_match_an_independent_count(demo_and_data, period, today):
    figures = report_figures(period, today=today)["stakeholders"]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FILTER (WHERE interest >= 3 AND influence >= 3),"
            " COUNT(*) FILTER (WHERE interest >= 3 AND influence < 3),"
            " COUNT(*) FILTER (WHERE interest < 3 AND influence >= 3),"
            " COUNT(*) FILTER (WHERE interest < 3 AND influence < 3),"
            " COUNT(*) FILTER (WHERE interest IS NULL), COUNT(*)"
            " FROM engagement_stakeholder"
        ) if connection.vendor == "postgresql" else cursor.execute(
            "SELECT SUM(interest >= 3 AND influence >= 3), SUM(interest >= 3 AND influence < 3),"
            " SUM(interest < 3 AND influence >= 3), SUM(interest < 3 AND influence < 3),"
            " SUM(interest IS NULL), COUNT(*) FROM engagement_stakeholder"
        )
        involve, consult, inform, watch, unscored, total = cursor.fetchone()
    assert {q["key"]: q["count"] for q in figures["quadrants"]} == {
        "involve": involve,
        "consult": consult,
        "inform": inform,
        "watch": watch,
    }
    assert involve >= 4 and consult >= 4
    assert (figures["total"], figures["unscored"]) == (total, unscored or 0)

    # Moves: walk each stakeholder's assessments in Python.
    moves = Counter()
    trail: dict[int, list] = {}
    for a in StakeholderAssessment.objects.order_by("stakeholder_id", "assessed_on", "created_at"):
        trail.setdefault(a.stakeholder_id, []).append(a)
    for rows in trail.values():
        for before, after in zip(rows, rows[1:], strict=False):
            moved = _quadrant(before.interest, before.influence) != _quadrant(
                after.interest, after.influence
            )
            if moved and period.start <= after.assessed_on <= period.end:
                moves[(before.quadrant.label, after.quadrant.label)] += 1
    assert {(m["from"], m["to"]): m["count"] for m in figures["moves"]} == dict(moves)
    assert figures["moved"] == sum(moves.values()) >= 4

    overdue = [
        s for s in Stakeholder.objects.all() if s.next_action_due and s.next_action_due < today
    ]
    assert figures["actions_overdue"] == len(overdue)


def test_the_report_asks_each_app_for_its_figures_for_its_days_and_as_at_date(
    demo_and_data, period, today
):
    """Engagement's sub-packages, printing, surveys and newsletters answer for their own
    figures; the report asks each for the period's days, as at the report's date."""
    as_at = today + datetime.timedelta(days=10)  # signs due down in 5 days are overdue then
    figures = report_figures(period, today=as_at)
    days = {"start": period.start, "end": period.end}

    assert figures["printing"] == printing_section(**days, today=as_at)
    assert figures["printing"] != printing_section(**days, today=today)
    assert figures["newsletters"] == newsletter_section(**days)
    assert figures["newsletters"]["campaigns"] and figures["printing"]["areas"]

    def without_charts(section):  # each drawing of a chart has ids of its own
        return {
            **section,
            "comparisons": [{**c, "chart": None} for c in section["comparisons"]],
        }

    surveys = survey_section(**days, today=as_at)
    assert without_charts(figures["surveys"]) == without_charts(surveys)
    assert figures["surveys"]["waves"]

    assert figures["stakeholders"] == stakeholder_section(**days, today=as_at)
    assert figures["engagements"] == engagement_section(**days, today=as_at)
    assert figures["activities"] == activity_section(**days, today=as_at)
    assert figures["communications"] == communications_section(**days, today=as_at)
    # As at a later day, more planned activities are past their date and not delivered.
    assert figures["activities"] != activity_section(**days, today=period.start)


def test_activity_figures_match_an_independent_count(demo_and_data, period, today):
    figures = report_figures(period, today=today)
    in_period = [
        a
        for a in Activity.objects.all()
        if a.planned_on and period.start <= a.planned_on <= period.end
    ]
    assert figures["activities"]["planned"] == len(in_period)
    assert figures["activities"]["planned_delivered"] == sum(1 for a in in_period if a.delivered_on)
    by_mode = {m["mode"]: m for m in figures["activities"]["modes"]}
    assert (
        by_mode["Leaflet drop"]["delivered"]
        == Activity.objects.filter(
            mode=Activity.Mode.LEAFLET_DROP, delivered_on__range=(period.start, period.end)
        ).count()
    )


def test_small_response_counts_read_fewer_than_ten_in_the_report(demo_and_data, period, today):
    from django.template.loader import render_to_string

    figures = report_figures(period, today=today)
    html = render_to_string("reports/includes/report_sections.html", {"figures": figures})
    row = next(line for line in html.splitlines() if "<tbody>" in line and "fewer than 10" in line)
    assert '<td class="num">4</td>' not in row


def test_a_period_before_the_data_counts_nothing_in_it(demo_and_data, today):
    long_ago = Period(datetime.date(2001, 1, 1), datetime.date(2001, 1, 31))
    figures = report_figures(long_ago, today=today)
    assert figures["stakeholders"]["moves"] == []
    assert figures["printing"]["areas"] == []
    assert figures["activities"]["planned"] == 0
    assert figures["surveys"]["waves"] == []


def _count_queries(func) -> int:
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured)


def test_report_and_dashboard_queries_do_not_grow_with_the_data(
    django_assert_max_num_queries, today, period
):
    build_initiative_data(2, today=today, tag="small")
    with django_assert_max_num_queries(24):
        report_figures(period, today=today)
    small_report = _count_queries(lambda: report_figures(period, today=today))
    small_dash = _count_queries(
        lambda: dashboard_figures(today=today, period=period, with_names=True)
    )

    build_initiative_data(15, today=today, tag="large")
    with django_assert_max_num_queries(small_report):
        report_figures(period, today=today)
    with django_assert_max_num_queries(small_dash):
        dashboard_figures(today=today, period=period, with_names=True)


def test_engagement_figures_match_an_independent_count(demo_and_data, today):
    from engagement.models import Engagement

    Engagement.objects.create(
        mode=Engagement.Mode.DOOR_TO_DOOR,
        title="Doors on Mill Lane",
        occurred_on=today,
        doors_knocked=40,
        conversations=12,
        follow_up_due=today - datetime.timedelta(days=1),
    )
    period = Period.last_days(30, today)
    engagements = report_figures(period, today=today)["engagements"]

    in_period = Engagement.objects.filter(occurred_on__range=(period.start, period.end))
    assert engagements["count"] == in_period.count()
    assert engagements["doors_knocked"] == sum(e.doors_knocked or 0 for e in in_period)
    assert engagements["follow_ups_overdue"] == sum(
        1
        for e in Engagement.objects.all()
        if e.follow_up_due and not e.follow_up_done_on and e.follow_up_due < today
    )
    assert engagements["follow_ups_overdue"] >= 1
