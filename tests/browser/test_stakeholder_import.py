"""The communications officer imports a spreadsheet of stakeholders: a file with mistakes
comes back as a report and imports nothing; the corrected file imports.

Set SIGNPOST_DOCS_SCREENSHOTS=1 to refresh docs/img/stakeholder-import.png from this run.
"""

import os
from pathlib import Path

import pytest
from signpost.roles import COMMUNICATIONS_OFFICER

from engagement.models import Stakeholder
from tests.engagement.factories import StakeholderFactory
from tests.factories import AreaFactory

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "stakeholder-import.png"

HEADER = (
    "Name,Organisation,Type,Areas,Email,Lawful basis,Consent to contact,Consent recorded on,"
    "Interest,Influence,Reason for the scores\n"
)
WITH_MISTAKES = HEADER + (
    "Councillor Joan Avery,Harbridge Borough Council,Elected member,Eastfield,"
    "joan.avery@example.org,Public task,no,,4,5,Chairs the ward panel\n"
    "Canal Quarter Traders,,Shopkeepers,Eastfield,traders@example,Legitimate interests,no,,"
    "6,2,Petition about dealing\n"
    "Ayesha Rahman,Eastfield Tenants' Association,Residents' group,Eastfeld,,,no,,3,3,"
    "Raised litter at the forum\n"
    "Mill Lane Youth Club,Harbridge YMCA,Youth group,Eastfield,,Consent,no,,2,2,New contact\n"
    "Spinney Walk Allotment Society,,Residents' group,Eastfield,,Legitimate interests,no,,"
    "1,1,No contact yet\n"
)
CORRECTED = HEADER + (
    "Councillor Joan Avery,Harbridge Borough Council,Elected member,Eastfield,"
    "joan.avery@example.org,Public task,no,,4,5,Chairs the ward panel\n"
    "Canal Quarter Traders,,Local business,Eastfield,traders@example.org,"
    "Legitimate interests,no,,3,2,Petition about dealing\n"
)


def test_a_file_with_mistakes_is_reported_then_the_corrected_file_imports(
    live_site, page, admin_login, make_user, tmp_path
):
    comms_officer = make_user(COMMUNICATIONS_OFFICER)
    AreaFactory(name="Eastfield", slug="eastfield")
    StakeholderFactory(name="Spinney Walk Allotment Society", organisation="")

    admin_login(page, comms_officer)
    page.goto("/admin/engagement/stakeholders/")
    page.get_by_role("link", name="Import from CSV").click()
    page.wait_for_url("**/stakeholders/import/")

    mistakes = tmp_path / "stakeholders.csv"
    mistakes.write_text(WITH_MISTAKES, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(mistakes)
    page.get_by_role("button", name="Check and import").click()

    alert = page.get_by_role("alert").filter(has_text="Nothing was imported")
    assert "stakeholders.csv has 7 problems" in alert.inner_text()
    table = page.get_by_role("table", name="Problems found in stakeholders.csv")
    rows = [r.inner_text().split("\t") for r in table.locator("tbody tr").all()]
    assert [row[:2] for row in rows] == [
        ["3", "Type"],
        ["3", "Email"],
        ["3", "Interest"],
        ["4", "Areas"],
        ["4", "Lawful basis"],
        ["5", "Consent to contact"],
        ["6", "Name"],
    ]
    assert Stakeholder.objects.count() == 1
    if os.environ.get("SIGNPOST_DOCS_SCREENSHOTS"):
        page.set_viewport_size({"width": 1280, "height": 760})
        page.screenshot(path=str(SCREENSHOT))

    corrected = tmp_path / "stakeholders-corrected.csv"
    corrected.write_text(CORRECTED, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(corrected)
    page.get_by_role("button", name="Check and import").click()
    page.wait_for_url("**/admin/engagement/stakeholders/")
    assert "Imported 2 stakeholders from stakeholders-corrected.csv." in page.content()
    assert Stakeholder.objects.count() == 3
    assert Stakeholder.objects.get(name="Canal Quarter Traders").quadrant == "consult"
