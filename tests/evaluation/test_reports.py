"""The crime evaluation beside the survey comparison in reports and on the dashboard,
with counts below the suppression threshold hidden from partners."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from evaluation.models import CrimeMonth, CrimeRecord, Evaluation
from evaluation.selectors import evaluation_section

pytestmark = pytest.mark.django_db
PERIOD = {"start": datetime.date(2024, 1, 1), "end": datetime.date(2024, 12, 31)}


def test_the_report_section_gives_the_quotient_when_every_count_is_shown(constructed):
    section = evaluation_section(**PERIOD)
    # An issued report stores its figures as JSON, never recomputed.
    assert json.loads(json.dumps(section)) == section
    (row,) = section["evaluations"]
    assert [(z["before"], z["after"]) for z in row["zones"]] == [(120, 60), (80, 70), (200, 180)]
    assert row["quotient"] == 0.04 and row["reading"].startswith("Neither")


def test_small_counts_are_hidden_and_the_quotient_with_them(constructed, settings):
    settings.SURVEYS_SUPPRESSION_THRESHOLD = 65  # the operation area's 60 after is hidden
    (row,) = evaluation_section(**PERIOD)["evaluations"]
    assert row["zones"][0]["after"] is None and row["zones"][0]["change"] is None
    assert row["published"] is False
    assert row["quotient"] is None and row["conclusion"] == ""


def test_the_dashboard_carries_it_for_partners(client, partner_viewer, constructed):
    client.force_login(partner_viewer)
    page = client.get("/admin/reports/dashboard/").content.decode()
    assert (
        "Recorded crime" in page and "Weighted Displacement Quotient: <strong>0.04</strong>" in page
    )


def test_the_demo_is_populated_labelled_synthetic_and_loads_twice_without_overwriting(
    client, analyst
):
    call_command("load_demo_data")
    evaluation = Evaluation.objects.get()
    assert "synthetic" in evaluation.name
    assert set(CrimeMonth.objects.values_list("reported_by", flat=True)) == {
        "Harbridge Constabulary (synthetic demo data)"
    }
    rows = CrimeRecord.objects.count()
    evaluation.name = "Lantern, renamed by the analyst"
    evaluation.save()
    call_command("load_demo_data")
    assert CrimeRecord.objects.count() == rows
    assert Evaluation.objects.get().name == "Lantern, renamed by the analyst"
    client.force_login(analyst)
    page = client.get(reverse("evaluation_admin:evaluation", args=[evaluation.pk])).content.decode()
    assert 'id="wdq"' in page or 'id="wdq-refused"' in page


def test_a_progress_report_carries_it_beside_the_surveys(client, comms_officer, constructed):
    from reports.services import report_create

    report = report_create(
        title="December",
        period_start=datetime.date(2024, 12, 1),
        period_end=datetime.date(2024, 12, 31),
        user=comms_officer,
    )
    client.force_login(comms_officer)
    page = client.get(reverse("reports_admin:report", args=[report.pk])).content.decode()
    assert page.index('id="section-surveys"') < page.index('id="section-crime"')
    assert "Weighted Displacement Quotient: <strong>0.04</strong>" in page
    assert "rise with proactive policing" in page


def test_an_issued_report_keeps_the_crime_evaluation_in_its_snapshot_and_pdf(
    comms_officer, constructed
):
    from pypdf import PdfReader

    from reports.services import report_create, report_issue

    report = report_create(
        title="December",
        period_start=datetime.date(2024, 12, 1),
        period_end=datetime.date(2024, 12, 31),
        commentary="Lantern's first months.",
        user=comms_officer,
    )
    report = report_issue(report=report, user=comms_officer)
    assert report.figures["crime"]["evaluations"][0]["quotient"] == 0.04
    # Later imports change nothing in what was issued.
    CrimeRecord.objects.all().delete()
    report.refresh_from_db()
    assert report.figures["crime"]["evaluations"][0]["zones"][0]["before"] == 120
    with report.pdf.open("rb") as pdf:
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Recorded crime" in text and "Weighted Displacement Quotient: 0.04" in text
