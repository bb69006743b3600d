"""The analyst's crime evaluation in a real browser: the evaluation page with its
quotient, chart and caveats, and an import of police.uk files, refused then accepted,
with nothing blocked by the Content-Security-Policy (the ``page`` fixture checks)."""

import datetime

import pytest
from signpost.roles import ANALYST

from evaluation.models import CrimeRecord
from tests.evaluation import conftest as evaluation_fixtures
from tests.evaluation.files import street_csv, street_row

pytestmark = pytest.mark.browser
# The constructed evaluation of tests/evaluation (its quotient is worked by hand there).
constructed = evaluation_fixtures.constructed
MARCH = datetime.date(2025, 3, 1)


def test_the_analyst_reads_an_evaluation_and_imports_a_file(
    live_site, page, admin_login, make_user, constructed, tmp_path
):
    analyst = make_user(ANALYST)
    admin_login(page, analyst)
    page.goto("/admin/snippets/evaluation/evaluation/")
    page.get_by_role("link", name="Open evaluation").first.click()
    assert page.locator("#wdq").inner_text() == "0.04"
    assert page.locator("#wdq-reading").inner_text() == "Diffusion of benefits"
    assert page.get_by_role(
        "img", name="Recorded crime a month: Drugs, Anti-social behaviour"
    ).is_visible()
    assert page.get_by_role("complementary", name="What these figures cannot show").is_visible()

    records = CrimeRecord.objects.count()
    page.goto("/admin/evaluation/import/")
    bad = tmp_path / "2025-03-harbridge-street.csv"
    bad.write_bytes(street_csv([street_row(MARCH), street_row(MARCH, crime_type="Drugz")]))
    page.get_by_label("police.uk street file").set_input_files(bad)
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url("**/admin/evaluation/import/*/")
    assert (
        "2025-03-harbridge-street.csv, line 3: Crime type 'Drugz' is not one police.uk uses."
        in (page.content().replace("&#x27;", "'"))
    )
    assert CrimeRecord.objects.count() == records

    good = tmp_path / "good" / "2025-03-harbridge-street.csv"
    good.parent.mkdir()
    good.write_bytes(street_csv([street_row(MARCH)] * 4))
    page.goto("/admin/evaluation/import/")
    page.get_by_label("police.uk street file").set_input_files(good)
    page.get_by_role("button", name="Upload and import").click()
    page.wait_for_url("**/admin/evaluation/import/*/")
    assert page.locator("#import-status").inner_text() == "Imported"
    assert "March 2025" in page.content()
    assert CrimeRecord.objects.count() == records + 4
