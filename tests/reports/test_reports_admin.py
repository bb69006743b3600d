"""Progress reports through the admin: drafting, commentary, issuing, the PDF, who may
do what, and that an issued report never changes."""

import shutil
import subprocess
import tempfile
from io import BytesIO
from pathlib import Path

import pytest
from django.urls import reverse
from pypdf import PdfReader
from wagtail.models import ModelLogEntry

from engagement.models import Activity
from printing.models import PrintFormat, PrintRun, QRTarget
from reports.models import ProgressReport, ReportIssuedError
from reports.services import report_create, report_issue
from tests.engagement.factories import StakeholderFactory

pytestmark = pytest.mark.django_db

COMMENTARY = "Leaflet drops reached every street in North.\n\nScans rose after the arrest day."


def pdf_text(pdf: bytes) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext (poppler-utils) is required")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        path.write_bytes(pdf)
        return subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout


def report_body(response) -> str:
    """The report itself, without the admin's per-request tokens around it."""
    html = response.content.decode()
    start = html.index("<h2>Commentary</h2>")
    return html[start : html.rindex("</section>")]


@pytest.fixture
def draft(initiative_data, period, comms_officer):
    return report_create(
        title="Progress report: the last 30 days",
        period_start=period.start,
        period_end=period.end,
        commentary=COMMENTARY,
        user=comms_officer,
    )


@pytest.fixture
def issued(draft, comms_officer):
    return report_issue(report=draft, user=comms_officer)


def test_a_communications_officer_drafts_comments_on_and_issues_a_report(
    client, comms_officer, initiative_data
):
    client.force_login(comms_officer)
    response = client.post(
        reverse("reports_admin:create"),
        {"preset": "", "title": "", "period_start": "2026-01-01", "period_end": "2026-12-31"},
    )
    report = ProgressReport.objects.get()
    assert response.url == reverse("reports_admin:report", args=[report.pk])
    assert report.title == "Progress report: 1 January 2026 to 31 December 2026"
    assert report.created_by == comms_officer

    # Issuing without a commentary is refused with a message, and nothing is lost.
    response = client.post(reverse("reports_admin:issue", args=[report.pk]), follow=True)
    assert "Add a short commentary" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "draft" and not report.pdf

    response = client.post(
        reverse("reports_admin:edit", args=[report.pk]),
        {
            "title": "Progress report <b>2026</b>",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "commentary": COMMENTARY,
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "Progress report 2026"  # tags stripped

    page = client.get(reverse("reports_admin:report", args=[report.pk])).content.decode()
    assert "Draft." in page and "Scans rose after the arrest day." in page
    assert "<svg" in page and "Stakeholders per quadrant" in page

    client.post(reverse("reports_admin:issue", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == "issued" and report.issued_by == comms_officer
    assert report.figures["printing"]["runs"] == 6
    assert ModelLogEntry.objects.filter(
        action="reports.report.issued", object_id=str(report.pk)
    ).exists()
    index = client.get(reverse("reports_admin:index")).content.decode()
    assert "Progress report 2026" in index and "Issued" in index


def test_a_period_that_ends_before_it_starts_is_refused(client, comms_officer):
    client.force_login(comms_officer)
    response = client.post(
        reverse("reports_admin:create"),
        {"title": "Backwards", "period_start": "2026-05-01", "period_end": "2026-04-01"},
    )
    assert response.status_code == 200
    assert "must end on or after its start" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_the_issued_pdf_has_the_figures_commentary_and_charts(issued, initiative_data):
    pdf = issued.pdf.open("rb").read()
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == issued.pdf_page_count >= 2
    text = pdf_text(pdf)
    assert "Progress report: the last 30 days" in text
    assert "Scans rose after the arrest day." in text
    assert "Stakeholders per quadrant" in text
    assert initiative_data["north"].name in text
    # The SVG charts are drawn into the PDF: their labels are there as text.
    assert "Influence: low" in text and "Planned" in text
    assert f"Page 1 of {issued.pdf_page_count}" in text


def test_the_draft_pdf_preview_says_draft(client, comms_officer, draft):
    client.force_login(comms_officer)
    response = client.get(reverse("reports_admin:pdf", args=[draft.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert "DRAFT, not issued." in pdf_text(response.content)


def test_an_issued_report_does_not_change_when_the_data_does(
    client, comms_officer, issued, initiative_data, today
):
    figures_before = issued.figures
    pdf_before = issued.pdf.open("rb").read()
    client.force_login(comms_officer)
    page_before = report_body(client.get(reverse("reports_admin:report", args=[issued.pk])))

    StakeholderFactory.create_batch(5, scores=(5, 5))
    PrintRun.objects.create(
        operation=initiative_data["operation"],
        area=initiative_data["north"],
        format=PrintFormat.A4_LEAFLET_ONE_SIDED,
        quantity=5000,
        qr_target=QRTarget.SIGNUP,
    )
    Activity.objects.create(title="Late", mode=Activity.Mode.PRESENTATION, planned_on=today)

    issued.refresh_from_db()
    assert issued.figures == figures_before
    assert issued.pdf.open("rb").read() == pdf_before
    page_after = report_body(client.get(reverse("reports_admin:report", args=[issued.pk])))
    assert page_after == page_before
    assert client.get(reverse("reports_admin:pdf", args=[issued.pk])).getvalue() == pdf_before

    # And nobody can change or delete it.
    response = client.post(
        reverse("reports_admin:edit", args=[issued.pk]),
        {"title": "Changed", "period_start": "2026-01-01", "period_end": "2026-01-31"},
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.title == "Progress report: the last 30 days"
    assert client.post(reverse("reports_admin:delete", args=[issued.pk])).status_code == 404
    issued.title = "Changed"
    with pytest.raises(ReportIssuedError):
        issued.save()
    with pytest.raises(ReportIssuedError):
        report_issue(report=issued, user=comms_officer)


def test_issuing_twice_keeps_the_first_issue(client, comms_officer, issued):
    client.force_login(comms_officer)
    issued_at = issued.issued_at
    response = client.post(reverse("reports_admin:issue", args=[issued.pk]), follow=True)
    assert "already been issued" in response.content.decode()
    issued.refresh_from_db()
    assert issued.issued_at == issued_at


@pytest.mark.parametrize("role_fixture", ["partner_viewer", "neighbourhood_officer"])
def test_readers_see_issued_reports_and_the_dashboard_but_change_nothing(
    request, client, role_fixture, issued, draft_other
):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    assert client.get(reverse("reports_admin:dashboard")).status_code == 200
    index = client.get(reverse("reports_admin:index")).content.decode()
    assert issued.title in index and draft_other.title not in index
    assert "New progress report" not in index
    assert client.get(reverse("reports_admin:report", args=[issued.pk])).status_code == 200
    assert client.get(reverse("reports_admin:pdf", args=[issued.pk])).status_code == 200
    # Drafts are not theirs to read; nothing is theirs to change.
    assert client.get(reverse("reports_admin:report", args=[draft_other.pk])).status_code == 404
    assert client.get(reverse("reports_admin:pdf", args=[draft_other.pk])).status_code == 404
    assert client.get(reverse("reports_admin:create")).status_code == 302
    assert client.post(reverse("reports_admin:issue", args=[draft_other.pk])).status_code == 302
    assert client.post(reverse("reports_admin:delete", args=[draft_other.pk])).status_code == 302
    assert client.get(reverse("reports_admin:edit", args=[draft_other.pk])).status_code == 302
    draft_other.refresh_from_db()
    assert draft_other.status == "draft"
    assert ProgressReport.objects.count() == 2


def test_partner_viewers_see_moves_as_counts_not_names(
    client, partner_viewer, comms_officer, initiative_data
):
    mover = StakeholderFactory(name="Councillor Vera Mills", scores=(1, 1), scores__days_ago=3)
    from engagement.stakeholders.services import stakeholder_assess

    stakeholder_assess(stakeholder=mover, interest=5, influence=5, reason="Elected")
    client.force_login(partner_viewer)
    page = client.get(reverse("reports_admin:dashboard")).content.decode()
    assert "Councillor Vera Mills" not in page
    assert "Watch" in page and "Involve" in page
    client.force_login(comms_officer)
    assert (
        "Councillor Vera Mills" in client.get(reverse("reports_admin:dashboard")).content.decode()
    )


def test_the_report_pages_keep_a_fixed_query_budget(
    client, comms_officer, draft, django_assert_max_num_queries, today
):
    from .conftest import build_initiative_data

    client.force_login(comms_officer)
    url = reverse("reports_admin:report", args=[draft.pk])
    client.get(url)
    with django_assert_max_num_queries(64) as small:
        client.get(url)
        client.get(reverse("reports_admin:dashboard"))
    build_initiative_data(12, today=today, tag="more")
    with django_assert_max_num_queries(len(small)):
        client.get(url)
        client.get(reverse("reports_admin:dashboard"))


def test_someone_with_no_role_cannot_reach_reports(client, make_user):
    from django.contrib.auth.models import Permission

    user = make_user("Partner viewer", username="former-partner")
    user.groups.clear()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(reverse("reports_admin:dashboard")).status_code == 302
    assert client.get(reverse("reports_admin:index")).status_code == 302
    client.logout()
    response = client.get(reverse("reports_admin:dashboard"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_dates_typed_on_the_new_report_form_win_over_the_preset(client, comms_officer):
    client.force_login(comms_officer)
    client.post(
        reverse("reports_admin:create"),
        {"preset": "last_month", "period_start": "2025-01-01", "period_end": "2025-01-31"},
    )
    report = ProgressReport.objects.get()
    assert (str(report.period_start), str(report.period_end)) == ("2025-01-01", "2025-01-31")


def test_a_period_ending_far_in_the_future_is_refused(client, comms_officer):
    client.force_login(comms_officer)
    response = client.post(
        reverse("reports_admin:create"),
        {"preset": "", "period_start": "2026-01-01", "period_end": "9999-12-31"},
    )
    assert response.status_code == 200
    assert "cannot end more than a year from today" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_editing_a_draft_shows_its_period_and_saving_keeps_it(client, comms_officer, draft):
    """The edit page opens with the draft's own dates in the date inputs (YYYY-MM-DD, the
    only value a browser's date input shows), so saving the commentary keeps the period."""
    client.force_login(comms_officer)
    url = reverse("reports_admin:edit", args=[draft.pk])
    form = client.get(url).context["form"]
    start = form["period_start"].value()
    html = str(form["period_start"]) + str(form["period_end"])
    assert f'value="{draft.period_start:%Y-%m-%d}"' in html
    assert f'value="{draft.period_end:%Y-%m-%d}"' in html
    # What the browser posts back: every field as it was shown, the commentary changed.
    shown = {name: form[name].value() for name in form.fields}
    shown["period_start"], shown["period_end"] = (
        f"{draft.period_start:%Y-%m-%d}",
        f"{draft.period_end:%Y-%m-%d}",
    )
    shown["commentary"] = "A new commentary."
    assert start is not None
    response = client.post(url, {k: v or "" for k, v in shown.items()})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.commentary == "A new commentary."
    assert (draft.period_start, draft.period_end) == (
        form.initial["period_start"],
        form.initial["period_end"],
    )


def test_issuing_asks_first_and_a_get_never_issues(client, comms_officer, draft, approver):
    client.force_login(comms_officer)
    detail = client.get(reverse("reports_admin:report", args=[draft.pk])).content.decode()
    url = reverse("reports_admin:issue", args=[draft.pk])
    # The button on the draft opens the confirmation; it does not issue.
    assert f'href="{url}"' in detail
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "This cannot be undone." in text
    assert "Partner viewer: " in text and "Analyst: " in text
    assert "Communications officer: 1 person" in text and "Approver: 1 person" in text
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.pdf
    response = client.post(url, follow=True)
    draft.refresh_from_db()
    assert draft.status == "issued"
    assert "issued" in response.content.decode()


def test_the_issue_page_says_a_commentary_is_needed_and_offers_no_issue_button(
    client, comms_officer, draft
):
    draft.commentary = ""
    draft.save()
    client.force_login(comms_officer)
    text = client.get(reverse("reports_admin:issue", args=[draft.pk])).content.decode()
    assert "has no commentary yet" in text
    assert "Yes, issue it" not in text


@pytest.mark.parametrize("role_fixture", ["partner_viewer", "neighbourhood_officer"])
def test_readers_cannot_open_the_issue_page(request, client, role_fixture, draft):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get(reverse("reports_admin:issue", args=[draft.pk]))
    assert response.status_code == 302
    assert "Yes, issue it" not in client.get(response.url).content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_the_analyst_drafts_and_issues_a_report_after_confirming(client, analyst, draft):
    client.force_login(analyst)
    assert client.get(reverse("reports_admin:create")).status_code == 200
    confirm = client.get(reverse("reports_admin:issue", args=[draft.pk]))
    assert "Yes, issue it" in confirm.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"  # opening the confirmation issues nothing
    assert client.post(reverse("reports_admin:issue", args=[draft.pk])).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.issued_by == analyst
