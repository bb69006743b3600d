"""The progress report as it prints: a tagged, accessible PDF; no heading left at the foot
of a page; chart labels large enough to read on paper; and, where a comparison area was
surveyed, the difference in differences with the same suppression as elsewhere."""

import io
import re
import subprocess
import tempfile
from pathlib import Path
from xml.etree import ElementTree

import pikepdf
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from signpost.pdf import accessible_pdf
from weasyprint.formatting_structure import boxes

from reports.services import report_context, report_create, report_issue, report_render
from surveys.models import Answer, Response, SurveyWave
from surveys.selectors import survey_section
from surveys.services import wave_results_publish
from tests.factories import AreaFactory
from tests.surveys.factories import SurveyWaveFactory, survey_page_create

pytestmark = pytest.mark.django_db

PX_TO_PT = 0.75
HEADING = re.compile(r"<h[1-3][^>]*>(.*?)</h[1-3]>", re.S)


def pages_text(pdf: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "report.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
    return text.split("\f")[:-1]


def test_the_issued_report_and_its_draft_preview_are_tagged_accessible_pdfs(
    client, initiative_data, period, comms_officer
):
    report = report_create(
        title="Progress report: the last 30 days",
        period_start=period.start,
        period_end=period.end,
        commentary="Leaflets reached every street.",
        user=comms_officer,
    )
    client.force_login(comms_officer)
    draft_pdf = client.get(reverse("reports_admin:pdf", args=[report.pk])).content
    report_issue(report=report, user=comms_officer)
    issued_pdf = client.get(reverse("reports_admin:pdf", args=[report.pk])).getvalue()
    for pdf in (draft_pdf, issued_pdf):
        with pikepdf.open(io.BytesIO(pdf)) as document:
            assert document.Root.MarkInfo.Marked is True
            assert "/StructTreeRoot" in document.Root
            assert str(document.Root.Lang) == "en-GB"
            assert document.Root.ViewerPreferences.DisplayDocTitle is True
            with document.open_metadata() as meta:
                assert meta["dc:title"] == "Progress report: the last 30 days"
            # Headings and tables are in the structure tree, not only painted.
            assert {"/H1", "/H2", "/Table", "/TH"} <= _structure_kinds(document)


def _structure_kinds(document) -> set[str]:
    """Every structure type in the document's structure tree."""
    kinds, stack, seen = set(), [document.Root.StructTreeRoot], set()
    while stack:
        element = stack.pop()
        if isinstance(element, pikepdf.Array):
            stack.extend(element)
            continue
        if not isinstance(element, pikepdf.Dictionary) or element.objgen in seen:
            continue
        if element.objgen != (0, 0):
            seen.add(element.objgen)
        if "/S" in element:
            kinds.add(str(element.S))
        if "/K" in element:
            stack.append(element.K)
    return kinds


def test_no_page_of_the_report_ends_with_a_heading(
    initiative_data, surveyed, period, comms_officer
):
    """Commentary of every length from one paragraph to many moves each heading down the
    pages, so some reach a page's foot: none may be left there without what follows."""
    report = report_create(
        title="Progress report", period_start=period.start, period_end=period.end
    )
    figures = report_context(report)
    checked = 0
    for paragraphs in range(1, 31):
        report.commentary = "\n\n".join(
            f"Paragraph {n}: leaflet drops reached the streets around the canal and the "
            "forum heard from residents about the alleyways."
            for n in range(paragraphs)
        )
        document = report_render(report=report, figures=figures)
        headings = {
            " ".join(re.sub("<[^>]+>", "", h).split())
            for h in HEADING.findall(_report_html(report, figures))
        }
        for number, page in enumerate(pages_text(accessible_pdf(document))[:-1], start=1):
            lines = [
                " ".join(line.split())
                for line in page.splitlines()
                if line.strip() and not re.search(r"Page \d+ of \d+", line)
            ]
            assert lines[-1] not in headings, f"{paragraphs} paragraphs: page {number}"
            checked += 1
    assert checked > 20


def _report_html(report, figures) -> str:
    return render_to_string(
        "print/progress_report.html", {"report": report, "figures": figures, "for_print": True}
    )


def _svg_boxes(document):
    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.ReplacedBox) and str(box.element_tag).endswith("svg"):
                yield box
            stack.extend(getattr(box, "children", []))


def test_every_chart_label_prints_at_8_points_or_more(
    initiative_data, surveyed, period, comms_officer
):
    report = report_create(title="Charts", period_start=period.start, period_end=period.end)
    figures = report_context(report)
    html = _report_html(report, figures)
    document = report_render(report=report, figures=figures)
    svgs = re.findall(r"<svg.*?</svg>", html, re.S)
    printed = list(_svg_boxes(document))
    assert len(svgs) == len(printed) >= 5  # with the survey comparisons' charts
    smallest = []
    for markup, box in zip(svgs, printed, strict=True):
        tree = ElementTree.fromstring(markup)  # noqa: S314 (our own chart markup)
        view_width = float(tree.get("viewBox").split()[2])
        scale = box.width / view_width  # CSS px per SVG unit as printed
        sizes = [float(t.get("font-size")) for t in tree.iter("{http://www.w3.org/2000/svg}text")]
        smallest.append(min(sizes) * scale * PX_TO_PT)
    assert min(smallest) >= 8, smallest


def _answers(wave, positive: int, negative: int) -> None:
    responses = Response.objects.bulk_create(
        [Response(wave=wave) for _ in range(positive + negative)]
    )
    Answer.objects.bulk_create(
        Answer(
            response=response,
            wave=wave,
            question_key="safe_after_dark",
            choice="very_safe" if i < positive else "very_unsafe",
        )
        for i, response in enumerate(responses)
    )
    wave_results_publish(wave=wave)


@pytest.fixture
def waves_with_a_comparison_area(db, today):
    survey = survey_page_create(
        title="Residents survey",
        questions=[{"type": "standard", "value": {"item": "safe_after_dark", "required": True}}],
    )
    operation_area = AreaFactory(name="Canal Quarter", slug="canal-quarter")
    comparison_area = AreaFactory(name="Northgate", slug="northgate", is_comparison_area=True)
    made = {}
    for area, tag in ((operation_area, "op"), (comparison_area, "cmp")):
        made[tag] = (
            SurveyWaveFactory(survey=survey, area=area, slug=f"{tag}-before"),
            SurveyWaveFactory(
                survey=survey, area=area, slug=f"{tag}-after", kind=SurveyWave.FOLLOW_UP
            ),
        )
    return made


@pytest.fixture
def surveyed(waves_with_a_comparison_area):
    """A comparison in the operation area and one in the comparison area, each with its
    chart, and the difference in differences between them."""
    (op_before, op_after), (cmp_before, cmp_after) = waves_with_a_comparison_area.values()
    for wave, positive in ((op_before, 40), (op_after, 60), (cmp_before, 40), (cmp_after, 45)):
        _answers(wave, positive, 100 - positive)


def test_the_report_gives_the_difference_in_differences_against_the_comparison_area(
    waves_with_a_comparison_area, period, comms_officer, today
):
    (op_before, op_after), (cmp_before, cmp_after) = waves_with_a_comparison_area.values()
    _answers(op_before, 40, 60)  # 40% → 60% in the operation area: +20 points
    _answers(op_after, 60, 40)
    _answers(cmp_before, 40, 60)  # 40% → 45% in the comparison area: +5 points
    _answers(cmp_after, 45, 55)
    [comparison] = [
        c
        for c in survey_section(start=period.start, end=period.end, today=today)["comparisons"]
        if c["area"] == "Canal Quarter"
    ]
    assert comparison["comparison_area"] == "Northgate"
    [row] = comparison["did"]
    assert (row["change"], row["comparison_change"], row["did"]) == (
        "+20.0 points",
        "+5.0 points",
        "+15.0 points",
    )

    report = report_create(
        title="With a comparison area", period_start=period.start, period_end=period.end
    )
    text = " ".join(" ".join(pages_text(_pdf(report))).split())
    assert (
        "Difference in differences: the change in Canal Quarter minus the change in Northgate"
        in text
    )
    assert "+20.0 points +5.0 points +15.0 points" in text
    assert "parallel trends" in text


def test_a_suppressed_comparison_area_gives_no_difference_in_differences(
    waves_with_a_comparison_area, period, today
):
    (op_before, op_after), (cmp_before, cmp_after) = waves_with_a_comparison_area.values()
    _answers(op_before, 40, 60)
    _answers(op_after, 60, 40)
    _answers(cmp_before, 3, 3)  # fewer than the threshold: nothing of it may be shown
    _answers(cmp_after, 30, 30)
    [comparison] = [
        c
        for c in survey_section(start=period.start, end=period.end, today=today)["comparisons"]
        if c["area"] == "Canal Quarter"
    ]
    [row] = comparison["did"]
    assert row["change"] == "+20.0 points"
    assert (row["comparison_change"], row["did"], row["did_lower"]) == (None, None, None)
    assert comparison["comparison_baseline_responses"] is None
    report = report_create(title="Suppressed", period_start=period.start, period_end=period.end)
    text = " ".join(" ".join(pages_text(_pdf(report))).split())
    assert "+20.0 points suppressed suppressed" in text
    assert "(fewer than 10 responses)" in text


def _pdf(report) -> bytes:
    return accessible_pdf(report_render(report=report, figures=report_context(report)))
