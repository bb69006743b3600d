"""What every browser test may use: axe-core's WCAG 2.2 AA check.

axe-core comes from its npm package, pinned in tests/browser/package-lock.json and
installed by ``npm ci --prefix tests/browser`` (CI does this). It is injected into the
page under test by Playwright; visitors are never sent it.
"""

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import unavailable

AXE_JS = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.fixture
def axe():
    if not AXE_JS.exists():
        unavailable(f"needs axe-core: run `npm ci --prefix tests/browser` ({AXE_JS} missing)")

    def check(page, label: str = ""):
        """Run axe-core on the page as it is now; fail with each violation spelt out."""
        page.add_script_tag(path=str(AXE_JS))
        violations = page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact, help: v.help,
                    nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5),
                }));
            }""",
            WCAG_22_AA,
        )
        assert violations == [], f"{label or page.url}: {violations}"

    return check


PHONE = {"width": 320, "height": 640}


def phone_context(browser, live_site, **options):
    # bypass_csp lets the test harness inject axe-core under the site's strict
    # Content-Security-Policy; the site itself still sends and obeys the policy.
    return browser.new_context(
        base_url=live_site.url,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
        **options,
    )


@pytest.fixture
def phone(browser, live_site):
    """A 320 px phone that records every request it makes."""
    context = phone_context(browser, live_site)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.requested_hosts = set()
    page.on("request", lambda request: page.requested_hosts.add(urlsplit(request.url).netloc))
    yield page
    context.close()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
