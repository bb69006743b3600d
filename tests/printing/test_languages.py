"""Print runs in the residents' languages: Welsh, Urdu (right to left), and Welsh and
English bilingual with one household code and one QR code for both languages."""

import html
import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from printing.models import PrintRun, ShortLink
from surveys.models import ResponseCode
from tests.i18n.helpers import locale, translate_page
from tests.newsletters.factories import make_newsletter
from tests.surveys.factories import SurveyWaveFactory

from .conftest import decode_qr_codes
from .forms import run_create, run_form
from .test_accessible_copy import pdf_text

pytestmark = pytest.mark.django_db

WELSH_HEADLINE = "Mae'r heddlu'n gweithio yn eich ardal chi"
URDU_HEADLINE = "پولیس آپ کے علاقے میں کام کر رہی ہے"
ENGLISH_SAFETY = "<p>Call Crimestoppers anonymously on 0800 555 111.</p>"
ENGLISH_HELP = "<p>Harbridge Recovery Service, 01632 960 456.</p>"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def translate_template(template, code: str, **fields):
    """The template's translation in ``code``, as wagtail-localize makes it (a copy with
    the same translation key in that locale), with ``fields`` set."""
    translation = template.copy_for_translation(locale(code))
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save()
    return translation


@pytest.fixture
def template(leaflet_template):
    """An English template with its own safety wording, translated into Welsh and Urdu."""
    leaflet_template.passing_on_information = ENGLISH_SAFETY
    leaflet_template.help_with_drugs = ENGLISH_HELP
    leaflet_template.save()
    translate_template(
        leaflet_template,
        "cy",
        name="Templed taflen",
        headline=WELSH_HEADLINE,
        what_is_happening="<p>Mae'r heddlu a'u partneriaid yn cau delio cyffuriau ar y "
        "strydoedd hyn.</p>",
        what_residents_can_do="<ul><li>Dywedwch wrthym pa mor ddiogel rydych chi'n "
        "teimlo.</li></ul>",
        qr_call_to_action="Sganiwch i ddweud wrthym pa mor ddiogel rydych chi'n teimlo",
        passing_on_information="<p>Ffoniwch Crimestoppers yn ddienw ar 0800 555 111.</p>",
        help_with_drugs="<p>Gwasanaeth Adfer Harbridge, 01632 960 456.</p>",
    )
    translate_template(
        leaflet_template,
        "ur",
        name="پرچے کا سانچہ",
        headline=URDU_HEADLINE,
        what_is_happening="<p>پولیس اور اس کے شراکت دار ان گلیوں میں منشیات کا کاروبار بند کر رہے ہیں۔</p>",
        what_residents_can_do="<ul><li>ہمیں بتائیں کہ آپ کتنا محفوظ محسوس کرتے ہیں۔</li></ul>",
        qr_call_to_action="ہمیں بتانے کے لیے اسکین کریں کہ آپ کتنا محفوظ محسوس کرتے ہیں",
        passing_on_information="<p>کرائم اسٹاپرز کو 0800 555 111 پر گمنام طور پر کال کریں۔</p>",
        help_with_drugs="<p>ہاربرج ریکوری سروس، 01632 960 456۔</p>",
    )
    return leaflet_template


@pytest.fixture
def wave(area, operation):
    """A wave of a survey with live Welsh and Urdu translations."""
    wave = SurveyWaveFactory(area=area, operation=operation, slug="canal-before")
    translate_page(wave.survey, "cy", title="Arolwg trigolion")
    translate_page(wave.survey, "ur", title="رہائشیوں کا سروے")
    return wave


@pytest.fixture
def officer_client(client, neighbourhood_officer):
    client.force_login(neighbourhood_officer)
    return client


def download(client, run) -> bytes:
    response = client.get(reverse("printing_admin:download", args=[run.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def page_texts(pdf: bytes) -> list[str]:
    """pdftotext's text of each page, its whitespace collapsed."""
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    texts = []
    for number in range(1, count + 1):
        out = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
        ).stdout.decode()
        texts.append(" ".join(out.split()))
    return texts


def normalised(text: str) -> str:
    """Compatibility forms folded (a PDF may hold Arabic presentation forms), the
    direction marks pdftotext adds around right-to-left runs dropped and whitespace
    collapsed, for comparing with the string as typed."""
    folded = unicodedata.normalize("NFKC", text)
    return " ".join("".join(c for c in folded if unicodedata.category(c) != "Cf").split())


def own_english_text() -> list[str]:
    """The printing app's own English sentences, each part between placeholders that is
    two words or more: none may be left on a page in another language."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "printing/locale/cy/LC_MESSAGES/django.po"))
    parts = []
    for entry in po:
        for part in re.split(r"%\(\w+\)s", entry.msgid):
            if len(part.split()) >= 2:
                parts.append(part.strip())
    return parts


def part_languages(document) -> list[tuple[str, str]]:
    """The language each headline (H1) is read in, from its nearest /Lang, in order."""
    found = []

    def walk(element, language=None):
        if not isinstance(element, pikepdf.Dictionary):
            return
        language = str(element.get("/Lang", "")) or language
        if str(element.get("/S", "")) == "/H1":
            found.append(language)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid, language)

    walk(document.Root.StructTreeRoot)
    return found


@pytest.mark.parametrize(
    ("format", "layout", "parts"),
    [
        ("a5_leaflet_1", "side by side", ["cy", "en-GB"]),
        ("a4_leaflet_2", "back to back", ["cy", "en-GB"]),
    ],
)
def test_a_bilingual_household_run_carries_one_code_for_welsh_and_english(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    template,
    wave,
    format,
    layout,
    parts,
):
    run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=template.pk,
            format=format,
            quantity=3,
            per_household="on",
            qr_target="survey",
            survey_wave=wave.pk,
            language="cy+en-gb",
        ),
    )
    run = PrintRun.objects.get()
    assert run.status == PrintRun.Status.READY, run.error
    assert run.language == "cy+en-gb"
    pdf = download(officer_client, run)
    link = ShortLink.objects.get(print_run=run)
    codes = list(ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk"))
    texts = page_texts(pdf)
    sides = run.spec.sides
    assert len(texts) == 3 * sides
    for number, code in enumerate(codes):
        pages = range(number * sides + 1, (number + 1) * sides + 1)
        expected = f"http://testserver/q/{link.code}#{code.code}"
        # One QR code on each printed side, the same on both halves, and that household's.
        assert [decode_qr_codes(pdf, first_page=p) for p in pages] == [[expected]] * sides
        leaflet = " ".join(texts[p - 1] for p in pages)
        assert leaflet.count(code.display) == sides  # printed once per side, matching
        assert not any(other.display in leaflet for other in codes if other != code)
        # Both languages, Welsh first.
        assert WELSH_HEADLINE in leaflet and template.headline in leaflet
        assert leaflet.index(WELSH_HEADLINE) < leaflet.index(template.headline)
        assert "Cod eich cartref:" in leaflet and "Your household code:" in leaflet
    if layout == "back to back":
        front, back = texts[0], texts[1]
        assert WELSH_HEADLINE in front and template.headline not in front
        assert template.headline in back and WELSH_HEADLINE not in back

    # The QR code opens the survey in Welsh, whose page offers English.
    officer_client.logout()
    scanned = officer_client.get(f"/q/{link.code}")
    assert scanned.status_code == 302
    assert scanned["Location"] == f"http://testserver/cy/survey/{wave.slug}/"

    # The accessible copy says Welsh, with the English half marked English.
    officer_client.force_login(run.created_by)
    accessible = officer_client.get(reverse("printing_admin:accessible", args=[run.pk]))
    with pikepdf.open(io.BytesIO(accessible.content)) as document:
        assert str(document.Root.Lang) == "cy"
        assert part_languages(document) == parts
    preview = officer_client.get(reverse("printing_admin:preview", args=[run.pk])).content
    assert b'<html lang="cy" dir="ltr">' in preview
    assert b'lang="en-GB" dir="ltr"' in preview


@pytest.mark.parametrize("format", ["a4_leaflet_1", "a4_leaflet_2"])
def test_a_welsh_run_is_welsh_throughout(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    template,
    wave,
    format,
):
    run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=template.pk,
            format=format,
            qr_target="survey",
            survey_wave=wave.pk,
            language="cy",
        ),
    )
    run = PrintRun.objects.get()
    assert run.status == PrintRun.Status.READY, run.error
    text = " ".join(page_texts(download(officer_client, run)))
    for welsh in (
        WELSH_HEADLINE,
        "Beth sy'n digwydd",
        "Rhoi gwybodaeth yn ddiogel",
        "Ffoniwch Crimestoppers yn ddienw",
        "Dim camera? Teipiwch y cyfeiriad hwn:",
        "Mewn argyfwng, ffoniwch 999 bob tro.",
        "Cysylltu â Safer Harbridge",
    ):
        assert welsh in text
    leftovers = [english for english in own_english_text() if english in text]
    assert leftovers == []
    for english in (template.headline, "Crimestoppers anonymously", "Recovery Service"):
        assert english not in text
    link = ShortLink.objects.get(print_run=run)
    officer_client.logout()
    scanned = officer_client.get(f"/q/{link.code}")
    assert scanned["Location"] == f"http://testserver/cy/survey/{wave.slug}/"


def pdffonts(pdf: bytes) -> list[dict]:
    with_file = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=False
    ).stdout.decode()
    if not with_file:  # older poppler reads no standard input
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(pdf)
            handle.flush()
            with_file = subprocess.run(
                ["pdffonts", handle.name], capture_output=True, check=True
            ).stdout.decode()
    lines = with_file.splitlines()[2:]
    fonts = []
    for line in lines:
        # name type encoding emb sub uni object ID: the last six columns are fixed.
        parts = line.split()
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4]})
    return fonts


def naskh_forms(pdf: bytes) -> dict[str, set[str]]:
    """For each character set in Noto Naskh Arabic, the glyphs that show it."""
    forms: dict[str, set[str]] = {}

    def fonts(resources):
        yield from resources.get("/Font", {}).values()
        for xobject in resources.get("/XObject", {}).values():
            if "/Resources" in xobject:
                yield from fonts(xobject.Resources)

    with pikepdf.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            for font in fonts(page.Resources):
                if "NotoNaskhArabic" not in str(font.BaseFont).replace("-", ""):
                    continue
                pairs = re.findall(
                    rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]+)>", font.ToUnicode.read_bytes()
                )
                for glyph, text in pairs:
                    char = bytes.fromhex(text.decode()).decode("utf-16-be")
                    forms.setdefault(char, set()).add(glyph.decode())
    return forms


@pytest.mark.parametrize("output", ["office", "print_shop"])
def test_an_urdu_run_is_right_to_left_in_the_site_s_own_font_embedded(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    template,
    wave,
    output,
):
    run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=template.pk,
            format="a5_leaflet_2",
            quantity=2,
            per_household="on",
            qr_target="survey",
            survey_wave=wave.pk,
            output=output,
            language="ur",
        ),
    )
    run = PrintRun.objects.get()
    assert run.status == PrintRun.Status.READY, run.error
    pdf = download(officer_client, run)
    naskh = [font for font in pdffonts(pdf) if "NotoNaskhArabic" in font["name"].replace("-", "")]
    assert naskh and all(font["emb"] == "yes" and font["sub"] == "yes" for font in naskh)
    # Shaped: letters joined take their initial, medial and final forms, each its own
    # glyph in the embedded subset (unshaped text would set one form a letter).
    forms = naskh_forms(pdf)
    assert len(forms["ی"]) >= 3 and len(forms["م"]) >= 3
    # Each glyph carries its character (ToUnicode), so the text reads back in logical
    # order, as typed. (Compared on words without digits: pdftotext re-orders the digit
    # groups of a number inside a right-to-left line.)
    texts = page_texts(pdf)
    assert normalised(URDU_HEADLINE) in normalised(texts[0])
    assert normalised("کیمرا نہیں ہے؟ یہ پتہ ٹائپ کریں:") in normalised(texts[0])
    assert normalised("منشیات کے استعمال میں مدد") in normalised(texts[1])
    assert normalised("ہنگامی صورت میں ہمیشہ") in normalised(texts[1])
    codes = list(ResponseCode.objects.filter(print_run_id=run.pk).order_by("pk"))
    link = ShortLink.objects.get(print_run=run)
    assert codes[1].display in texts[2]
    assert decode_qr_codes(pdf, first_page=3) == [
        f"http://testserver/q/{link.code}#{codes[1].code}"
    ]

    preview = officer_client.get(reverse("printing_admin:preview", args=[run.pk])).content
    assert b'<html lang="ur" dir="rtl">' in preview
    assert b'src: url("/static/signpost/fonts/NotoNaskhArabic-Regular.ttf")' in preview
    accessible = officer_client.get(reverse("printing_admin:accessible", args=[run.pk]))
    with pikepdf.open(io.BytesIO(accessible.content)) as document:
        assert str(document.Root.Lang) == "ur"
    assert normalised(URDU_HEADLINE) in normalised(pdf_text(accessible.content))
    officer_client.logout()
    scanned = officer_client.get(f"/q/{link.code}")
    assert scanned["Location"] == f"http://testserver/ur/survey/{wave.slug}/"


@pytest.mark.parametrize(
    ("language", "prefix"), [("en-gb", ""), ("cy", "/cy"), ("ur", "/ur"), ("cy+en-gb", "/cy")]
)
def test_the_short_link_opens_the_run_s_language(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    template,
    update_page,
    language,
    prefix,
):
    home = update_page.specific
    translate_page(home, "cy", title="Harbridge Mwy Diogel")
    translate_page(home, "ur", title="محفوظ ہاربرج")
    for target in ("signup", "page"):
        run_create(
            officer_client,
            django_capture_on_commit_callbacks,
            **run_form(
                operation,
                area,
                template=template.pk,
                qr_target=target,
                target_page=update_page.pk,
                language=language,
            ),
        )
    signup, page = PrintRun.objects.order_by("pk")
    officer_client.logout()
    translated_home = home.get_translations(inclusive=True).get(
        locale__language_code=language.split("+")[0]
    )
    assert translated_home.get_full_url().endswith(f"{prefix}/")
    for run, expected in (
        (signup, f"http://testserver{prefix}/newsletters/subscribe/?area={area.slug}"),
        (page, translated_home.get_full_url()),
    ):
        link = ShortLink.objects.get(print_run=run)
        assert officer_client.get(f"/q/{link.code}")["Location"] == expected


def form_errors(response) -> str:
    return " ".join(html.unescape(response.content.decode()).split())


@pytest.mark.parametrize("language", ["cy", "ur", "cy+en-gb"])
def test_what_has_no_translation_is_named_and_nothing_is_recorded(
    officer_client,
    django_capture_on_commit_callbacks,
    initiative,
    operation,
    area,
    leaflet_template,
    update_page,
    language,
):
    name = "Urdu" if language == "ur" else "Welsh"
    wave = SurveyWaveFactory(area=area, operation=operation, slug="canal-untranslated")
    newsletter = make_newsletter(title="Canal Quarter update", area=area)
    attempts = [
        (
            {"template": leaflet_template.pk},
            f"The print template “{leaflet_template}” has no {name} translation",
        ),
        (
            {"newsletter": newsletter.pk, "format": "a4_leaflet_2"},
            f"The newsletter “Canal Quarter update” has no live {name} translation",
        ),
        (
            {"template": leaflet_template.pk, "qr_target": "survey", "survey_wave": wave.pk},
            f"has no live {name} translation: residents scanning the code",
        ),
        (
            {"template": leaflet_template.pk, "qr_target": "page", "target_page": update_page.pk},
            f"has no live {name} translation for the QR code to open",
        ),
    ]
    for fields, message in attempts:
        for preview in (False, True):
            data = run_form(operation, area, language=language, **fields)
            if preview:
                data["preview"] = "1"
            response = run_create(officer_client, django_capture_on_commit_callbacks, **data)
            assert response.status_code == 200
            assert message in form_errors(response)
    # A translated template that leaves the safety wording to the initiative's (English
    # only) is refused too, naming the section.
    translate_template(leaflet_template, language.split("+")[0], name="Cyfieithiad")
    response = run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(operation, area, template=leaflet_template.pk, language=language),
    )
    assert "leaves “Passing on information safely” to the initiative's standard wording" in (
        form_errors(response)
    )
    assert PrintRun.objects.count() == 0


@pytest.mark.parametrize("language", ["en-gb", "cy", "ur", "cy+en-gb"])
@pytest.mark.parametrize("who", ["partner_viewer", "analyst", "anonymous"])
def test_roles_that_may_not_print_cannot_in_any_language(
    client,
    django_capture_on_commit_callbacks,
    request,
    initiative,
    operation,
    area,
    template,
    language,
    who,
):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = run_create(
        client,
        django_capture_on_commit_callbacks,
        **run_form(operation, area, template=template.pk, language=language),
    )
    assert response.status_code == 302
    assert PrintRun.objects.count() == 0


def test_bilingual_signs_carry_one_qr_code_each_with_both_languages(
    officer_client, django_capture_on_commit_callbacks, initiative, operation, area, sign_template
):
    sign_template.passing_on_information = ENGLISH_SAFETY
    sign_template.save()
    translate_template(
        sign_template,
        "cy",
        name="Templed arwydd",
        headline="Ymgyrch heddlu ar waith",
        what_is_happening="<p>Mae swyddogion yn gweithio yma heddiw.</p>",
        passing_on_information="<p>Ffoniwch Crimestoppers yn ddienw ar 0800 555 111.</p>",
    )
    run_create(
        officer_client,
        django_capture_on_commit_callbacks,
        **run_form(
            operation,
            area,
            template=sign_template.pk,
            format="a3_sign",
            quantity=2,
            language="cy+en-gb",
        ),
    )
    run = PrintRun.objects.get()
    assert run.status == PrintRun.Status.READY, run.error
    pdf = download(officer_client, run)
    texts = page_texts(pdf)
    for number, sign in enumerate(run.signs.select_related("short_link").order_by("number")):
        page = number + 1
        assert decode_qr_codes(pdf, first_page=page) == [sign.short_link.full_url()]
        text = texts[number]
        assert "Ymgyrch heddlu ar waith" in text and sign_template.headline in text
        assert text.index("Ymgyrch heddlu ar waith") < text.index(sign_template.headline)
        assert f"Arwydd / Sign / {sign.number}" in text
