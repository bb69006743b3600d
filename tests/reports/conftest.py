import datetime

import pytest
from django.utils import timezone

from engagement.models import Activity, MediaEnquiry
from engagement.stakeholders.services import stakeholder_assess
from printing.models import PrintFormat, PrintRun, QRTarget, ShortLink, Sign
from reports.periods import Period
from surveys.models import Response
from surveys.services import wave_results_publish
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory, OperationFactory
from tests.surveys.factories import SurveyWaveFactory, survey_page_create


def build_initiative_data(size: int, *, today: datetime.date, tag: str = "x") -> dict:
    """``size`` of everything a report counts, in two areas: stakeholders who moved and
    who did not, leaflet and sign runs with scans, a survey wave with responses, and
    planned and delivered activities. Returns what was made."""
    days = datetime.timedelta(days=1)
    north = AreaFactory(name=f"North {tag}", slug=f"north-{tag}")
    south = AreaFactory(name=f"South {tag}", slug=f"south-{tag}")
    operation = OperationFactory(areas=[north, south])
    for i in range(size):
        mover = StakeholderFactory(scores=(1, 1), scores__days_ago=40)
        stakeholder_assess(
            stakeholder=mover,
            interest=4,
            influence=4,
            reason="Now chairs the forum",
            assessed_on=today - 2 * days,
        )
        StakeholderFactory(scores=(4, 1))
        leaflets = PrintRun.objects.create(
            operation=operation,
            area=north,
            format=PrintFormat.A5_LEAFLET_ONE_SIDED,
            quantity=100 + i,
            qr_target=QRTarget.SIGNUP,
        )
        ShortLink.objects.create(code=f"L{tag}{i}".upper()[:12], print_run=leaflets, scan_count=3)
        signs = PrintRun.objects.create(
            operation=operation,
            area=south,
            format=PrintFormat.A4_SIGN,
            quantity=2,
            qr_target=QRTarget.SIGNUP,
        )
        for number in (1, 2):
            sign = Sign.objects.create(
                print_run=signs,
                number=number,
                location="Lamp post",
                put_up_at=timezone.now() - 5 * days,
                due_down_on=today - days if number == 1 else today + 5 * days,
            )
            ShortLink.objects.create(
                code=f"S{tag}{i}N{number}".upper()[:12],
                print_run=signs,
                sign=sign,
                scan_count=number,
            )
        Activity.objects.create(
            title=f"Leaflet drop {i}",
            mode=Activity.Mode.LEAFLET_DROP,
            area=north,
            planned_on=today,
            delivered_on=today,
        )
        now = timezone.now()
        MediaEnquiry.objects.create(
            outlet=f"Echo {tag}",
            journalist="Reporter",
            question=f"Question {i}",
            received_at=now - 3 * days,
            deadline=now - 2 * days,
            status=MediaEnquiry.Status.ANSWERED,
            responded_at=now - days,
        )
        MediaEnquiry.objects.create(
            outlet=f"Radio {tag}",
            journalist="Producer",
            question=f"Interview {i}",
            received_at=now - 2 * days,
            deadline=now - days,
        )
        Activity.objects.create(
            title=f"Forum {i}",
            mode=Activity.Mode.FORUM_MEETING,
            area=south,
            planned_on=today,
        )
    survey = survey_page_create(title=f"Residents survey {tag}")
    wave = SurveyWaveFactory(survey=survey, area=north, slug=f"wave-{tag}")
    Response.objects.bulk_create([Response(wave=wave) for _ in range(size)])
    wave_results_publish(wave=wave, on=today)
    return {"north": north, "south": south, "operation": operation, "wave": wave}


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def period(today):
    return Period.last_days(30, today)


@pytest.fixture
def initiative_data(db, today):
    return build_initiative_data(3, today=today)


@pytest.fixture
def draft_other(db, approver):
    from reports.services import report_create

    return report_create(
        title="Approver's unfinished draft",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 1, 31),
        user=approver,
    )
