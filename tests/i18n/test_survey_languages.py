"""One survey, one set of keys, every language: a translation made through wagtail-localize
asks the same questions under the same keys, residents answer it at /cy/… and /ur/…, and
their answers count in the one comparison, which can be broken down by language with the
same suppression. A translation behind the English wording stops a wave opening."""

import csv
import datetime
import io
import re
from collections import Counter

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from wagtail_localize.models import StringSegment, TranslationSource

from surveys.models import Answer, Response, SurveyPage, SurveyWave
from surveys.selectors import comparison_audit, comparison_build
from surveys.services import wave_results_publish
from tests.surveys.conftest import responses_flush_all
from tests.surveys.factories import SurveyWaveFactory, responses_add, survey_page_create

from .helpers import localize_page, localize_sync

pytestmark = pytest.mark.django_db

WELSH = {
    "Eastfield residents' survey": "Arolwg trigolion Eastfield",
    "eastfield-survey": "arolwg-eastfield",
    "It is anonymous: we do not ask for your name, and we do not record your email or "
    "internet address.": "Mae'n ddienw: nid ydym yn gofyn am eich enw, ac nid ydym yn "
    "cofnodi eich e-bost na'ch cyfeiriad rhyngrwyd.",
    "What have you noticed in the last three months?": "Beth ydych chi wedi sylwi arno yn "
    "ystod y tri mis diwethaf?",
    "Less dealing": "Llai o werthu cyffuriau",
    "More police": "Mwy o heddlu",
    "Cleaner streets": "Strydoedd glanach",
    "What one thing would make this area better?": "Beth yw'r un peth a fyddai'n gwella'r "
    "ardal hon?",
    "How did you hear about this survey?": "Sut glywsoch chi am yr arolwg hwn?",
    "Thank you. Your answers help us see whether things are getting better.": "Diolch. Mae "
    "eich atebion yn ein helpu i weld a yw pethau'n gwella.",
    "This survey is not open at the moment. Thank you for wanting to take part.": "Nid yw'r "
    "arolwg hwn ar agor ar hyn o bryd. Diolch am fod eisiau cymryd rhan.",
}
URDU = {
    "Eastfield residents' survey": "ایسٹ فیلڈ کے رہائشیوں کا سروے",
    "eastfield-survey": "eastfield-survey",
    "It is anonymous: we do not ask for your name, and we do not record your email or "
    "internet address.": "یہ گمنام ہے: ہم آپ کا نام نہیں پوچھتے، اور آپ کا ای میل یا "
    "انٹرنیٹ ایڈریس محفوظ نہیں کرتے۔",
    "What have you noticed in the last three months?": "پچھلے تین مہینوں میں آپ نے کیا دیکھا ہے؟",
    "Less dealing": "منشیات کی فروخت میں کمی",
    "More police": "زیادہ پولیس",
    "Cleaner streets": "زیادہ صاف گلیاں",
    "What one thing would make this area better?": "کون سی ایک چیز اس علاقے کو بہتر بنائے گی؟",
    "How did you hear about this survey?": "آپ نے اس سروے کے بارے میں کیسے سنا؟",
    "Thank you. Your answers help us see whether things are getting better.": "شکریہ۔ آپ "
    "کے جوابات سے ہمیں پتہ چلتا ہے کہ حالات بہتر ہو رہے ہیں یا نہیں۔",
    "This survey is not open at the moment. Thank you for wanting to take part.": "یہ سروے "
    "اس وقت کھلا نہیں ہے۔ حصہ لینے کی خواہش کا شکریہ۔",
}
RESIDENT = "203.0.113.9"
GOOD = {
    "q_safe_after_dark": "fairly_safe",
    "q_drugs_problem": "very_big",
    "q_seen_changes": ["less_dealing", "cleaner"],
    "q_one_thing": "",
    "q_how_heard": "leaflet",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.fixture
def survey(db):
    survey = survey_page_create()
    survey.slug = "eastfield-survey"
    for _question in survey.questions:  # bound, as the editor's form binds every block
        pass
    survey.save_revision().publish()
    # As the editor saved it: answer options stored as list items with their own ids.
    return SurveyPage.objects.get(pk=survey.pk)


@pytest.fixture
def translated(survey):
    return survey, localize_page(survey, "cy", WELSH), localize_page(survey, "ur", URDU)


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


def test_wagtail_localize_sends_the_wording_for_translation_but_never_the_keys(translated):
    survey, welsh, urdu = translated
    source = TranslationSource.objects.get_for_instance(survey)
    sent = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    keys = {"safe_after_dark", "drugs_problem", "seen_changes", "less_dealing", "one_thing"}
    assert "Less dealing" in sent and not keys & sent
    for translation in (welsh, urdu):
        assert translation.question_keys() == survey.question_keys()
        assert translation.live and translation.translation_key == survey.translation_key
    [seen] = [q for q in welsh.get_questions() if q.key == "seen_changes"]
    assert seen.text == WELSH["What have you noticed in the last three months?"]
    assert seen.options[0] == ("less_dealing", "Llai o werthu cyffuriau")


def test_a_translation_s_keys_cannot_be_changed(translated):
    _survey, welsh, _urdu = translated
    welsh.questions[2].value["key"] = "newidiadau"
    with pytest.raises(ValidationError) as refused:
        welsh.save_revision()
    assert "A translation keeps its source's question and answer keys" in str(refused.value)
    welsh.refresh_from_db()
    welsh.questions[2].value["options"][0]["value"] = "llai"
    with pytest.raises(ValidationError):
        welsh.save_revision()


def test_the_welsh_and_urdu_forms_are_in_their_language_and_direction(client, translated):
    survey, _welsh, _urdu = translated
    SurveyWaveFactory(survey=survey, slug="eastfield-now")
    welsh = client.get("/cy/survey/eastfield-now/")
    html = welsh.content.decode()
    assert html_tag(welsh) == '<html lang="cy" dir="ltr" class="no-js">'
    assert "Beth ydych chi wedi sylwi arno yn ystod y tri mis diwethaf?" in html
    assert "Arolwg trigolion Eastfield" in html
    assert 'value="less_dealing"' in html  # the same keys behind the Welsh words
    # The bank's wording and the form's own text come from the catalogue.
    assert "teimlo yn cerdded ar eich pen eich hun yn yr ardal hon ar ôl iddi dywyllu?" in html
    assert "Anfon fy atebion" in html
    urdu = client.get("/ur/survey/eastfield-now/")
    html = urdu.content.decode()
    assert html_tag(urdu) == '<html lang="ur" dir="rtl" class="no-js">'
    assert "پچھلے تین مہینوں میں آپ نے کیا دیکھا ہے؟" in html
    assert "میرے جوابات بھیجیں" in html
    assert 'action="/ur/survey/eastfield-now/"' in html
    english = client.get("/survey/eastfield-now/")  # English keeps its address
    assert html_tag(english) == '<html lang="en-GB" dir="ltr" class="no-js">'
    assert "What have you noticed in the last three months?" in english.content.decode()


def test_a_language_without_a_translation_gets_the_english_survey_in_its_own_frame(client, survey):
    SurveyWaveFactory(survey=survey, slug="eastfield-now")
    response = client.get("/ur/survey/eastfield-now/")
    html = response.content.decode()
    assert html_tag(response) == '<html lang="ur" dir="rtl" class="no-js">'
    assert "What have you noticed in the last three months?" in html
    assert "میرے جوابات بھیجیں" in html


@override_settings(SURVEYS_SUBMIT_RATE_LIMIT=(100, 3600))
def test_answers_in_every_language_count_in_one_comparison_under_the_same_keys(client, translated):
    survey, _welsh, _urdu = translated
    today = timezone.localdate()
    baseline = SurveyWaveFactory(
        survey=survey,
        slug="before",
        opens_on=today - datetime.timedelta(days=60),
        closes_on=today - datetime.timedelta(days=30),
    )
    follow_up = SurveyWaveFactory(
        survey=survey, slug="after", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    for prefix, count in (("", 3), ("/cy", 2), ("/ur", 1)):
        for _ in range(count):
            sent = client.post(f"{prefix}/survey/after/", GOOD, REMOTE_ADDR=RESIDENT)
            assert sent.status_code == 302
            assert sent["Location"] == f"{prefix}/survey/after/thanks/"
    thanks = client.get("/cy/survey/after/thanks/")
    assert "Mae gennym eich atebion" in thanks.content.decode()
    assert responses_flush_all() == 6
    assert sorted(follow_up.responses.values_list("language", flat=True)) == [
        "cy",
        "cy",
        "en-gb",
        "en-gb",
        "en-gb",
        "ur",
    ]
    stored = Counter(Answer.objects.filter(wave=follow_up).values_list("question_key", "choice"))
    assert stored == {
        ("safe_after_dark", "fairly_safe"): 6,
        ("drugs_problem", "very_big"): 6,
        ("seen_changes", "less_dealing"): 6,
        ("seen_changes", "cleaner"): 6,
        ("how_heard", "leaflet"): 6,
    }
    comparison = comparison_build(baseline=baseline, follow_up=follow_up, live=True, threshold=1)
    rows = {row.question.key: row for row in comparison.questions}
    assert set(rows) == {"safe_after_dark", "drugs_problem", "seen_changes", "how_heard"}
    assert {key: row.follow_up.answered for key, row in rows.items()} == dict.fromkeys(rows, 6)
    by_language = {c.value: c.count for c in comparison.by_language.follow_up.cells}
    assert by_language == {"en-gb": 3, "cy": 2, "ur": 1}


def _languages_set(wave, responses, **by_language):
    start = 0
    for code, n in by_language.items():
        ids = [r.pk for r in responses[start : start + n]]
        Response.objects.filter(pk__in=ids).update(language=code)
        start += n
    wave_results_publish(wave=wave)


@pytest.fixture
def answered_in_three_languages(survey):
    baseline = SurveyWaveFactory(survey=survey, slug="before")
    follow_up = SurveyWaveFactory(
        survey=survey, slug="after", kind=SurveyWave.FOLLOW_UP, area=baseline.area
    )
    answers = {"safe_after_dark": {"very_safe": 60, "fairly_safe": 90, "very_unsafe": 150}}
    _languages_set(baseline, responses_add(baseline, answers, publish=False), **{"cy": 40, "ur": 3})
    _languages_set(
        follow_up, responses_add(follow_up, answers, publish=False), **{"cy": 45, "ur": 12}
    )
    return baseline, follow_up


def test_the_breakdown_by_language_is_suppressed_like_any_other(
    client, analyst, answered_in_three_languages
):
    baseline, follow_up = answered_in_three_languages
    client.force_login(analyst)
    url = reverse("surveys_compare", args=(baseline.pk, follow_up.pk))
    page = client.get(url).content.decode()
    table = re.search(r'<table class="listing" data-breakdown="language">.*?</table>', page, re.S)
    rows = dict(re.findall(r'<th scope="row">(\w+)</th>(.*?)</tr>', table.group(0), re.S))
    # Baseline: 257 English, 40 Welsh, 3 Urdu; follow-up: 243, 45 and 12.
    assert ">3<" not in rows["Urdu"] and "suppressed" in rows["Urdu"].split("</td>")[0]
    assert ">12<" in rows["Urdu"]
    # Urdu's 3 is hidden, so one more baseline cell goes with it: no subtraction finds it.
    baseline_cells = [cells.split("</td>")[0] for cells in rows.values()]
    assert sum("suppressed" in c for c in baseline_cells) >= 2
    comparison = comparison_build(baseline=baseline, follow_up=follow_up)
    audited, findings = comparison_audit(comparison)
    assert findings == [] and audited >= 4
    export = (
        client.get(
            reverse(
                "surveys_compare_export",
                kwargs={"baseline": baseline.pk, "follow_up": follow_up.pk, "fmt": "csv"},
            )
        )
        .getvalue()
        .decode()
    )
    language_rows = [r for r in csv.reader(io.StringIO(export)) if r and r[0] == "language"]
    urdu = next(r for r in language_rows if r[3] == "ur")
    assert urdu[5] == "suppressed" and urdu[8] == "12"


def test_the_raw_export_shows_a_language_only_where_enough_answered_in_it(
    client, analyst, superuser, answered_in_three_languages
):
    baseline, follow_up = answered_in_three_languages
    client.force_login(superuser)
    url = reverse(
        "surveys_compare_raw",
        kwargs={"baseline": baseline.pk, "follow_up": follow_up.pk, "fmt": "csv"},
    )
    rows = list(csv.DictReader(io.StringIO(client.get(url).getvalue().decode())))
    shown = {}
    for row in rows:
        shown.setdefault((row["wave"].split(":")[0], row["language"]), 0)
        shown[(row["wave"].split(":")[0], row["language"])] += 1
    withheld = "withheld (fewer than 10 in the wave answered in this language)"
    assert shown[("Baseline", withheld)] == 3
    assert ("Baseline", "ur") not in shown
    assert shown[("Follow-up", "ur")] == 12 and shown[("Baseline", "cy")] == 40


# --- A translation behind the English wording stops a wave opening ---------------------


def _wave_form(survey, area, slug, opens_on, closes_on):
    return {
        "survey": survey.pk,
        "kind": SurveyWave.FOLLOW_UP,
        "area": area.pk,
        "operation": "",
        "slug": slug,
        "opens_on": opens_on.isoformat(),
        "closes_on": closes_on.isoformat(),
    }


def _reword(survey):
    survey.questions[2].value["text"] = "What have you noticed since the summer?"
    survey.save_revision().publish()
    survey.refresh_from_db()


BEHIND = (
    "The Welsh translation is behind the English wording: update it in Translations "
    "before this wave opens."
)


def test_a_stale_translation_blocks_opening_a_wave_in_the_admin(client, analyst, translated):
    from tests.factories import AreaFactory

    survey, _welsh, _urdu = translated
    area = AreaFactory()
    today = timezone.localdate()
    client.force_login(analyst)
    add = reverse("wagtailsnippets_surveys_surveywave:add")
    open_now = _wave_form(survey, area, "opens-now", today, today + datetime.timedelta(days=20))
    assert client.post(add, open_now).status_code == 302  # up to date: it opens
    SurveyWave.objects.all().delete()

    _reword(survey)
    refused = client.post(add, open_now)
    assert refused.status_code == 200
    html = refused.content.decode()
    assert BEHIND in html
    assert BEHIND.replace("Welsh", "Urdu") in html
    assert not SurveyWave.objects.exists()
    # A wave that opens later can be set up now; it cannot be moved to open today.
    later = today + datetime.timedelta(days=30)
    assert (
        client.post(
            add, _wave_form(survey, area, "later", later, later + datetime.timedelta(days=20))
        ).status_code
        == 302
    )
    wave = SurveyWave.objects.get(slug="later")
    edit = reverse("wagtailsnippets_surveys_surveywave:edit", args=(wave.pk,))
    moved = _wave_form(survey, area, "later", today, today + datetime.timedelta(days=20))
    refused = client.post(edit, moved)
    assert refused.status_code == 200 and BEHIND in refused.content.decode()
    assert SurveyWave.objects.get(pk=wave.pk).opens_on == later

    # Synced but the new wording not yet translated: still refused, saying what is left.
    welsh = dict(WELSH)
    localize_sync(survey, "cy", welsh)
    refused = client.post(edit, moved).content.decode()
    assert (
        "The Welsh translation still has text in English: finish it in Translations before "
        "this wave opens."
    ) in refused
    welsh["What have you noticed since the summer?"] = "Beth ydych chi wedi sylwi arno ers yr haf?"
    urdu = dict(
        URDU, **{"What have you noticed since the summer?": "گرمیوں سے اب تک آپ نے کیا دیکھا ہے؟"}
    )
    localize_sync(survey, "cy", welsh)
    localize_sync(survey, "ur", urdu)
    accepted = client.post(edit, moved)
    assert accepted.status_code == 302, re.findall(
        r"The \w+ translation[^<]*", accepted.content.decode()
    )
    assert SurveyWave.objects.get(pk=wave.pk).is_open()


def test_a_wave_runs_the_english_survey_not_a_translation(client, analyst, translated):
    from tests.factories import AreaFactory

    _survey, welsh, _urdu = translated
    client.force_login(analyst)
    today = timezone.localdate()
    refused = client.post(
        reverse("wagtailsnippets_surveys_surveywave:add"),
        _wave_form(welsh, AreaFactory(), "cy-wave", today, today + datetime.timedelta(days=9)),
    )
    assert refused.status_code == 200
    assert "Choose the survey in English" in refused.content.decode()


def test_residents_never_answer_a_stale_translation(client, translated):
    """A wave already open when the English wording changed: until the translation is
    brought up to date, Welsh readers get the English questions (in a Welsh frame), so
    no one answers wording the others were not asked."""
    survey, _welsh, _urdu = translated
    SurveyWaveFactory(survey=survey, slug="eastfield-now")
    _reword(survey)
    html = client.get("/cy/survey/eastfield-now/").content.decode()
    assert "What have you noticed since the summer?" in html
    assert "tri mis diwethaf" not in html
    assert "Anfon fy atebion" in html


def test_a_translation_saved_before_the_next_sync_keeps_the_keys_it_was_synced_with(
    translated,
):
    """The English survey loses a question; the translator saves the Welsh translation
    before syncing it. That save keeps the keys it was synced with, and the wave cannot
    open until the sync."""
    survey, _welsh, _urdu = translated
    del survey.questions[3]  # one_thing
    survey.save_revision().publish()
    survey.refresh_from_db()
    welsh = localize_page(survey, "cy", dict(WELSH, **{"Less dealing": "Llai o werthu"}))
    assert "one_thing" in dict(welsh.question_keys())
    assert "one_thing" not in dict(survey.question_keys())
    assert ("cy", "behind") in survey.translations_behind()
    welsh = localize_sync(survey, "cy", WELSH)
    assert welsh.question_keys() == survey.question_keys()


def test_a_stale_translation_blocks_opening_a_wave_copied_from_another(client, analyst, translated):
    """Copying a wave (the snippet's Copy) is another way to set one up: it is refused
    on the same terms as adding one."""
    from tests.factories import AreaFactory

    survey, _welsh, _urdu = translated
    area = AreaFactory()
    today = timezone.localdate()
    later = today + datetime.timedelta(days=30)
    wave = SurveyWaveFactory(
        survey=survey,
        kind=SurveyWave.FOLLOW_UP,
        area=area,
        slug="first",
        opens_on=later,
        closes_on=later + datetime.timedelta(days=20),
    )
    _reword(survey)
    client.force_login(analyst)
    copy = reverse("wagtailsnippets_surveys_surveywave:copy", args=(wave.pk,))
    form = client.get(copy)
    assert form.status_code == 200 and 'value="first"' in form.content.decode()
    refused = client.post(
        copy, _wave_form(survey, area, "copied", today, today + datetime.timedelta(days=20))
    )
    assert refused.status_code == 200
    assert BEHIND in refused.content.decode()
    assert BEHIND.replace("Welsh", "Urdu") in refused.content.decode()
    assert not SurveyWave.objects.filter(slug="copied").exists()
    # A copy that opens later is set up now, as through Add.
    later_still = later + datetime.timedelta(days=40)
    accepted = client.post(
        copy,
        _wave_form(survey, area, "copied", later_still, later_still + datetime.timedelta(days=20)),
    )
    assert accepted.status_code == 302
    assert SurveyWave.objects.get(slug="copied").opens_on == later_still


def test_a_translation_s_keys_cannot_be_changed_through_the_admin_s_editors(client, superuser):
    """While a translation is synced, its editor is wagtail-localize's, which writes the
    source's keys whatever is posted; once syncing is stopped it is Wagtail's page editor,
    where a changed key is refused and nothing is saved."""
    from signpost.models import HomePage
    from wagtail_localize.models import Translation

    from tests.surveys.test_editor import LIKERT, survey_form

    client.force_login(superuser)
    home = HomePage.objects.get()
    add = reverse("wagtailadmin_pages:add", args=("surveys", "surveypage", home.pk))
    made = client.post(add, survey_form("Parks", [("likert", LIKERT)], **{"action-publish": "p"}))
    assert made.status_code == 302
    survey = SurveyPage.objects.get(title="Parks")
    welsh = localize_page(
        survey, "cy", {"Parks": "Parciau", LIKERT["text"]: "Mae'r parc yn teimlo'n ddiogel."}
    )
    keys = survey.question_keys()
    edit = reverse("wagtailadmin_pages:edit", args=(welsh.pk,))
    changed = dict(LIKERT, key="parc_diogel", text="Mae'r parc yn teimlo'n ddiogel.")
    welsh_form = survey_form(
        "Parciau", [("likert", changed)], slug="parciau", **{"action-publish": "p"}
    )

    # Synced: wagtail-localize's translation editor answers, and publishing from it keeps
    # the keys the source was synced with.
    assert "parc_diogel" not in client.get(edit).content.decode()
    published = client.post(edit, {**welsh_form, "action": "publish"})
    assert published.status_code == 302
    welsh = SurveyPage.objects.get(pk=welsh.pk)
    assert welsh.question_keys() == keys and welsh.live

    # Stopped: Wagtail's own editor, where the key is locked.
    translation = Translation.objects.get(
        source__object_id=survey.translation_key, target_locale=welsh.locale
    )
    client.post(
        reverse("wagtail_localize:stop_translation", args=(translation.pk,)), {"next": edit}
    )
    refused = client.post(edit, welsh_form)
    assert refused.status_code == 200
    assert "A translation keeps its source&#x27;s question and answer keys" in (
        refused.content.decode()
    )
    welsh = SurveyPage.objects.get(pk=welsh.pk)
    assert welsh.question_keys() == keys
    assert welsh.get_latest_revision_as_object().question_keys() == keys
    # The same form with the source's key is accepted: only the key was refused.
    kept = survey_form(
        "Parciau",
        [("likert", dict(changed, key=LIKERT["key"]))],
        slug="parciau",
        **{"action-publish": "p"},
    )
    assert client.post(edit, kept).status_code == 302
    assert SurveyPage.objects.get(pk=welsh.pk).title == "Parciau"
