import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from signpost.models import InitiativeSettings
from wagtail.models import Page, Site

from tests.factories import AreaFactory, OperationFactory

from .factories import PrintTemplateFactory, SignTemplateFactory


@pytest.fixture
def initiative(db):
    settings = InitiativeSettings.for_site(Site.objects.get(is_default_site=True))
    settings.name = "Safer Harbridge"
    settings.contact_phone = "01632 960 123"
    settings.report_information_text = "<p>Crimestoppers anonymously on 0800 555 111.</p>"
    settings.help_with_drugs_text = "<p>Harbridge Recovery Service, 01632 960 456.</p>"
    settings.save()
    return settings


@pytest.fixture
def area(db):
    return AreaFactory(name="Canal Quarter", slug="canal-quarter")


@pytest.fixture
def operation(area):
    return OperationFactory(name="Operation Lantern", slug="operation-lantern", areas=[area])


@pytest.fixture
def leaflet_template(db):
    return PrintTemplateFactory()


@pytest.fixture
def sign_template(db):
    return SignTemplateFactory()


@pytest.fixture
def update_page(db):
    return Page.objects.get(depth=2)


def decode_qr_codes(pdf: bytes, *, first_page: int = 1, last_page: int | None = None) -> list[str]:
    """Every QR code zbarimg finds on the rendered pages, in page order."""
    if not shutil.which("pdftoppm") or not shutil.which("zbarimg"):
        pytest.fail("pdftoppm (poppler-utils) and zbarimg (zbar-tools) are required")
    last_page = last_page or first_page
    with tempfile.TemporaryDirectory() as tmp:
        pdf_path = Path(tmp) / "run.pdf"
        pdf_path.write_bytes(pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                "150",
                "-png",
                "-f",
                str(first_page),
                "-l",
                str(last_page),
                str(pdf_path),
                str(Path(tmp) / "page"),
            ],
            check=True,
        )
        found = []
        for image in sorted(Path(tmp).glob("page*.png")):
            result = subprocess.run(
                ["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True
            )
            found.extend(line for line in result.stdout.splitlines() if line)
        return found
