"""Report figures against the demo data counted independently, and query budgets that
do not grow with the data."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagement.models import Activity, Stakeholder, StakeholderAssessment
from printing.models import FORMATS, Kind, PrintRun, ShortLink, Sign
from reports.periods import Period
from reports.selectors import dashboard_figures, report_figures
from surveys.models import Response, SurveyWave

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


def test_printing_figures_match_an_independent_count(demo_and_data, period, today):
    figures = report_figures(period, today=today)["printing"]
    expected = {}
    for run in PrintRun.objects.select_related("area"):
        row = expected.setdefault(
            run.area.name, {"area": run.area.name, "runs": 0, "leaflets": 0, "signs": 0, "scans": 0}
        )
        row["runs"] += 1
        kind = FORMATS[run.format].kind
        row["leaflets" if kind == Kind.LEAFLET else "signs"] += run.quantity
    for link in ShortLink.objects.select_related("print_run__area"):
        expected[link.print_run.area.name]["scans"] += link.scan_count
    assert figures["areas"] == sorted(expected.values(), key=lambda r: r["area"])
    # The data built here adds 3 + 1 + 2 scans per set (4 sets) to the demo's own.
    assert figures["scans"] == sum(row["scans"] for row in expected.values()) >= 4 * (3 + 1 + 2)
    overdue = [s for s in Sign.objects.all() if s.is_overdue(today)]
    assert figures["signs_overdue"] == len(overdue) == 4 + 1  # one demo sign is overdue


def test_activity_and_survey_figures_match_an_independent_count(demo_and_data, period, today):
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

    waves = {w["wave_id"]: w for w in figures["surveys"]["waves"]}
    for wave in SurveyWave.objects.filter(opens_on__lte=period.end, closes_on__gte=period.start):
        total = Response.objects.filter(wave=wave).count()
        assert waves[wave.pk]["responses_total"] == (total if total >= 10 else None)
    # Four responses in the period: fewer than the survey threshold, so not printed.
    assert waves[demo_and_data["wave"].pk]["responses_in_period"] is None


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


def test_newsletter_and_engagement_figures_match_an_independent_count(demo_and_data, today):
    from django.utils import timezone

    from engagement.models import Engagement
    from newsletters.models import Delivery, Subscriber
    from tests.newsletters.factories import CampaignFactory, SubscriberFactory

    north, south = demo_and_data["north"], demo_and_data["south"]
    now = timezone.now()
    SubscriberFactory.create_batch(3, area=north)
    SubscriberFactory(area=south, status=Subscriber.Status.UNSUBSCRIBED, unsubscribed_at=now)
    campaign = CampaignFactory(send_started_at=now, status="sent")
    for i, subscriber in enumerate(Subscriber.objects.filter(area=north)):
        Delivery.objects.create(
            campaign=campaign,
            subscriber=subscriber,
            status=Delivery.Status.DELIVERED,
            sent_at=now,
            delivered_at=now,
            opened_at=now if i == 0 else None,
        )
    Engagement.objects.create(
        mode=Engagement.Mode.DOOR_TO_DOOR,
        title="Doors on Mill Lane",
        occurred_on=today,
        doors_knocked=40,
        conversations=12,
        follow_up_due=today - datetime.timedelta(days=1),
    )
    period = Period.last_days(30, today)
    figures = report_figures(period, today=today)

    news = figures["newsletters"]
    by_area = {a["area"]: a for a in news["areas"]}
    for area in (north, south):
        subs = list(Subscriber.objects.filter(area=area))
        row = by_area[area.name]
        assert row["subscribed"] == sum(1 for s in subs if s.status == "confirmed")
        assert row["left"] == sum(1 for s in subs if s.unsubscribed_at)
    assert by_area[north.name]["subscribed"] == 3 and by_area[south.name]["left"] == 1
    sent = next(c for c in news["campaigns"] if c["name"] == campaign.name)
    assert (sent["sent"], sent["delivered"], sent["opened"]) == (3, 3, 1)
    assert sent["open_rate"] == round(100 / 3, 1) and sent["delivery_rate"] == 100.0

    engagements = figures["engagements"]
    in_period = Engagement.objects.filter(occurred_on__range=(period.start, period.end))
    assert engagements["count"] == in_period.count()
    assert engagements["doors_knocked"] == sum(e.doors_knocked or 0 for e in in_period)
    assert engagements["follow_ups_overdue"] == sum(
        1
        for e in Engagement.objects.all()
        if e.follow_up_due and not e.follow_up_done_on and e.follow_up_due < today
    )
    assert engagements["follow_ups_overdue"] >= 1


def test_the_survey_comparison_is_the_survey_apps_own_with_its_caveats(demo_and_data, today):
    from surveys.selectors import comparison_build, comparison_snapshot

    follow_up = SurveyWave.objects.filter(kind=SurveyWave.FOLLOW_UP).first()
    assert follow_up is not None, "the demo data has a follow-up wave"
    baseline = (
        SurveyWave.objects.filter(
            kind=SurveyWave.BASELINE, survey=follow_up.survey, area=follow_up.area
        )
        .order_by("-opens_on")
        .first()
    )
    period = Period(follow_up.opens_on, today)
    comparisons = report_figures(period, today=today)["surveys"]["comparisons"]
    expected = comparison_build(baseline=baseline, follow_up=follow_up)
    [shown] = [c for c in comparisons if c["follow_up"] == str(follow_up)]
    assert shown["summary"] == expected.summary
    assert shown["baseline_responses"] == Response.objects.filter(wave=baseline).count()
    assert shown["follow_up_responses"] == Response.objects.filter(wave=follow_up).count()
    assert shown["questions"] == comparison_snapshot(expected)
    # Every verdict says what it cannot show: a change is not proof, no change is not none.
    for question in shown["questions"]:
        verdict = question["verdict"]
        assert "not proof that the operation caused it" in verdict or verdict.startswith(
            "No change detectable at this sample size"
        ), verdict
    assert "<svg" in shown["chart"]
