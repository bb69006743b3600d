"""The communications officer downloads the stakeholder register: the export button
sends them to "Your downloads", where the file prepared for them is offered, and the file
holds the register."""

import csv
import io
import re

import pytest

from tests.engagement.factories import StakeholderFactory

pytestmark = pytest.mark.browser


def test_the_officer_gets_the_register_from_your_downloads(
    live_site, page, admin_login, make_user, tmp_path
):
    from signpost.roles import COMMUNICATIONS_OFFICER

    officer = make_user(COMMUNICATIONS_OFFICER)
    StakeholderFactory(name="Spinney Walk Allotment Society")
    StakeholderFactory(name='=HYPERLINK("http://evil.example","click")')

    admin_login(page, officer)
    page.goto("/admin/engagement/stakeholders/")
    page.get_by_role("button", name="Actions").click()  # the header's "more" menu
    page.get_by_role("link", name="Download CSV").click()
    page.wait_for_url("**/admin/downloads/")
    assert "the file is being prepared" in page.content()
    download_link = page.get_by_role("link", name=re.compile(r"^Download .+\.csv$"))
    download_link.wait_for()  # the page reloads itself until the worker has written it
    page.screenshot(path=str(tmp_path / "downloads.png"), full_page=True)

    with page.expect_download() as download:
        download_link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"))))
    names = {row["Name"] for row in rows}
    assert names == {
        "Spinney Walk Allotment Society",
        '\'=HYPERLINK("http://evil.example","click")',
    }
