"""A police.uk upload that cannot be imported is refused on the form, saying why, before
anything is stored or queued: a damaged zip, a zip bomb, encrypted members, text that is
not UTF-8. So are boundaries that are not shapes and rings that cannot be made."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from evaluation.models import CrimeArea, CrimeImport

from .files import month_zip, street_csv, street_row

pytestmark = pytest.mark.django_db

MARCH = datetime.date(2024, 3, 1)
GOOD_CSV = street_csv([street_row(MARCH)] * 3)


def zip_of(members: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    data = bytearray(buffer.getvalue())
    if encrypted:
        # Marked as a zip tool marks a member sealed with a password: bit 0 of the flags,
        # in the member's own header and in the central directory.
        for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
            at = data.find(signature)
            data[at + flags_at] |= 0x1
    return bytes(data)


def not_utf8(csv: bytes) -> bytes:
    """Saved again from a spreadsheet in Windows-1252: 'Larch Close – east' on line 3."""
    lines = csv.split(b"\n")
    lines[2] = lines[2].replace(b"Larch Close", "Larch Close – east".encode("cp1252"))
    return b"\n".join(lines)


def refused(client, analyst, name: str, data: bytes, captured) -> str:
    client.force_login(analyst)
    with captured(execute=False) as callbacks:
        response = client.post(
            reverse("evaluation_admin:import"), {"file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 200
    assert not CrimeImport.objects.exists() and callbacks == []
    return response.content.decode().replace("&#x27;", "'")


@pytest.mark.parametrize(
    "name, data, says",
    [
        ("harbridge.zip", b"PK\x03\x04 not really a zip", "is not a zip that can be opened"),
        (
            "harbridge.zip",
            month_zip({MARCH: [street_row(MARCH)]})[:-40],
            "is not a zip that can be opened",
        ),
        (
            "harbridge.zip",
            zip_of({"2024-03/2024-03-harbridge-street.csv": b"\0" * 30_000_000}),
            "times smaller than it unpacks to",
        ),
        (
            "harbridge.zip",
            zip_of({"2024-03/2024-03-harbridge-street.csv": GOOD_CSV}, encrypted=True),
            "2024-03/2024-03-harbridge-street.csv is encrypted",
        ),
        (
            "harbridge.zip",
            zip_of({"2024-03/2024-03-harbridge-outcomes.csv": GOOD_CSV}),
            "holds no street files",
        ),
        (
            "2024-03-harbridge-street.csv",
            not_utf8(GOOD_CSV),
            "2024-03-harbridge-street.csv, line 3: the text is not UTF-8",
        ),
        (
            "harbridge.zip",
            zip_of({"2024-03/2024-03-harbridge-street.csv": not_utf8(GOOD_CSV)}),
            "2024-03/2024-03-harbridge-street.csv, line 3: the text is not UTF-8",
        ),
    ],
    ids=["not a zip", "cut zip", "zip bomb", "encrypted", "no street file", "csv", "zipped csv"],
)
def test_an_unusable_upload_is_a_form_error_and_nothing_is_queued(
    client, analyst, django_capture_on_commit_callbacks, name, data, says
):
    page = refused(client, analyst, name, data, django_capture_on_commit_callbacks)
    assert says in page


def test_a_zip_declaring_more_than_may_be_unpacked_is_refused_before_unpacking(
    client, analyst, settings, django_capture_on_commit_callbacks
):
    settings.SIGNPOST_CRIME_IMPORT_MAX_UNZIPPED_BYTES = 1000
    data = month_zip({MARCH: [street_row(MARCH)] * 20})
    page = refused(client, analyst, "harbridge.zip", data, django_capture_on_commit_callbacks)
    assert "would unpack to" in page and "Import a force's months in several zips" in page


def test_a_good_zip_still_goes_through(client, analyst, django_capture_on_commit_callbacks):
    client.force_login(analyst)
    upload = SimpleUploadedFile("harbridge.zip", month_zip({MARCH: [street_row(MARCH)] * 3}))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation_admin:import"), {"file": upload})
    assert response.status_code == 302
    assert CrimeImport.objects.get().status == CrimeImport.DONE


# --- Boundaries and rings ------------------------------------------------------------------

SQUARE_RING = (
    "[[-1.502, 53.801], [-1.499, 53.801], [-1.499, 53.799], [-1.502, 53.799], [-1.502, 53.801]]"
)


@pytest.mark.parametrize(
    "boundary, says",
    [
        (
            '{"type": "Polygon", "coordinates": [[[NaN, 53.801], [-1.499, 53.801], '
            "[-1.499, 53.799], [-1.502, 53.801]]]}",
            "holds NaN, which is not a coordinate",
        ),
        (
            '{"type": "Polygon", "coordinates": [[[-1.502, 1e400], [-1.499, 53.801], '
            "[-1.499, 53.799], [-1.502, 1e400]]]}",
            "The coordinate 1e400 is not a number on the map",
        ),
        ("[" * 100_000 + "]" * 100_000, "nested more than 32 deep"),
        (
            '{"type": "FeatureCollection", "features": ['
            + '{"type": "GeometryCollection", "geometries": [' * 40
            + f'{{"type": "Polygon", "coordinates": [{SQUARE_RING}]}}'
            + "]}" * 40
            + "]}",
            "nested more than 32 deep",
        ),
    ],
    ids=["NaN", "infinite", "deep brackets", "deep collections"],
)
def test_a_boundary_that_is_not_a_shape_is_a_form_error(client, analyst, boundary, says):
    client.force_login(analyst)
    response = client.post(
        reverse("wagtailsnippets_evaluation_crimearea:add"),
        {"name": "Larch", "boundary": boundary, "lsoa_codes_2011": "", "lsoa_codes_2021": ""},
    )
    assert response.status_code == 200
    assert says in response.content.decode()
    assert not CrimeArea.objects.exists()


@pytest.fixture
def larch(db):
    boundary = f'{{"type": "Polygon", "coordinates": [{SQUARE_RING}]}}'
    return CrimeArea.objects.create(name="Larch estate", boundary=boundary)


def ring(client, analyst, around, **data):
    client.force_login(analyst)
    return client.post(reverse("evaluation_admin:ring", args=[around.pk]), data)


def test_a_ring_named_as_another_area_is_a_form_error(client, analyst, larch):
    CrimeArea.objects.create(name="Northgate", lsoa_codes_2021="E01000001")
    response = ring(client, analyst, larch, width_m=250, name="northgate")
    assert response.status_code == 200
    assert "An area is already called ‘northgate’" in response.content.decode()
    # Unnamed, a second ring of the same width would take the first one's name.
    assert ring(client, analyst, larch, width_m=250, name="").status_code == 302
    again = ring(client, analyst, larch, width_m=250, name="")
    assert again.status_code == 200
    assert "An area is already called ‘Larch estate: 250 m buffer’" in again.content.decode()
    assert CrimeArea.objects.count() == 3


@pytest.mark.parametrize("width", ["", "0", "-250", "250.5", "1e3", "999999", "NaN", "inf"])
def test_a_ring_of_an_odd_width_is_a_form_error(client, analyst, larch, width):
    response = ring(client, analyst, larch, width_m=width, name="")
    assert response.status_code == 200
    assert response.context["form"].errors["width_m"]
    assert CrimeArea.objects.count() == 1


def test_a_long_named_area_still_gets_its_ring(client, analyst):
    boundary = f'{{"type": "Polygon", "coordinates": [{SQUARE_RING}]}}'
    long_named = CrimeArea.objects.create(name="L" * 120, boundary=boundary)
    assert ring(client, analyst, long_named, width_m=400, name="").status_code == 302
    assert CrimeArea.objects.filter(name__endswith=": 400 m buffer").count() == 1
