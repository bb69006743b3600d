"""The demo survey shows what the comparison is for: one real change, one non-change."""

import pytest
from django.core.management import call_command
from wagtail.models import Page

from surveys.models import Answer, PopulationCount, Response, SurveyWave
from surveys.selectors import comparison_build
from surveys.weighted.selectors import WEIGHTED, weighted_comparison_build

pytestmark = pytest.mark.django_db


def test_demo_survey_is_idempotent_and_shows_one_change_and_one_non_change():
    call_command("load_demo_data")
    counts = (Response.objects.count(), Answer.objects.count())
    call_command("load_demo_data")
    assert (Response.objects.count(), Answer.objects.count()) == counts
    baseline = SurveyWave.objects.get(slug="eastfield-before")
    follow_up = SurveyWave.objects.get(slug="eastfield-after")
    assert baseline.responses.count() == 420 and follow_up.responses.count() == 380
    assert follow_up.is_open() and not baseline.is_open()
    rows = {
        q.question.key: q
        for q in comparison_build(baseline=baseline, follow_up=follow_up).questions
    }
    assert rows["safe_after_dark"].change.significant
    assert rows["safe_after_dark"].change.difference > 0
    assert not rows["drugs_problem"].change.significant


def test_demo_has_a_comparison_area_with_both_waves_and_a_difference_in_differences(client):
    from django.contrib.auth import get_user_model

    call_command("load_demo_data")
    waves = {w.slug: w for w in SurveyWave.objects.select_related("area")}
    before, after = waves["northgate-before"], waves["northgate-after"]
    assert before.area.is_comparison_area and before.operation is None
    comparison = comparison_build(
        baseline=waves["eastfield-before"],
        follow_up=waves["eastfield-after"],
        comparison_baseline=before,
        comparison_follow_up=after,
    )
    safe = next(q for q in comparison.questions if q.question.key == "safe_after_dark")
    assert safe.did is not None and safe.did.excludes_zero and safe.did.difference > 0
    client.force_login(get_user_model().objects.get(username="analyst"))
    url = (
        f"/admin/surveys/compare/{waves['eastfield-before'].pk}/{waves['eastfield-after'].pk}/"
        f"?comparison_baseline={before.pk}&comparison_follow_up={after.pk}"
    )
    html = client.get(url).content.decode()
    assert "Against the comparison area (Northgate)" in html
    assert "MOVER" in html and "It cannot rule out" in html
    # Waves that are not a comparison area's are refused.
    wrong = client.get(
        url.replace(
            f"comparison_baseline={before.pk}",
            f"comparison_baseline={waves['eastfield-before'].pk}",
        )
    )
    assert wrong.status_code == 404


def test_the_auditor_passes_every_breakdown_of_the_demos_comparisons():
    from surveys.selectors import comparison_audit

    call_command("load_demo_data")
    waves = {w.slug: w for w in SurveyWave.objects.all()}
    audited_in_all = 0
    for live in (False, True):
        for threshold in (5, 10, 15, 20):
            comparison = comparison_build(
                baseline=waves["eastfield-before"],
                follow_up=waves["eastfield-after"],
                comparison_baseline=waves["northgate-before"],
                comparison_follow_up=waves["northgate-after"],
                threshold=threshold,
                live=live,
            )
            audited, findings = comparison_audit(comparison)
            assert findings == []
            audited_in_all += audited
    # Every question, and the responses by language.
    assert audited_in_all == 2 * 4 * 4 * (len(comparison.questions) + 1)


def test_demo_comparison_is_weighted_out_of_the_box_and_keeps_the_analysts_edits(client):
    from django.contrib.auth import get_user_model

    from surveys.weighted.selectors import weighted_comparison_audit

    call_command("load_demo_data")
    waves = {w.slug: w for w in SurveyWave.objects.select_related("area")}
    comparison = comparison_build(
        baseline=waves["eastfield-before"],
        follow_up=waves["eastfield-after"],
        comparison_baseline=waves["northgate-before"],
        comparison_follow_up=waves["northgate-after"],
    )
    weighted = weighted_comparison_build(comparison)
    assert weighted.headline == WEIGHTED
    assert all(w.weighted and w.effective_sample_size < w.respondents for w in weighted.waves)
    # The baseline was answered by a skewed mix, so weighting it costs more.
    assert weighted.waves[0].design_effect > weighted.waves[1].design_effect > 1
    rows = {q.question.key: q for q in weighted.questions}
    # Who answered hid a real change in confidence; weighting shows it.
    confidence = rows["confidence_police_council"]
    assert confidence.change.significant and not confidence.row.change.significant
    assert any("disagree on significance" in w for w in confidence.warnings)
    assert rows["safe_after_dark"].change.significant
    # Published (not the live view): the auditor finds nothing the weighted figures give
    # away, and the analyst's page shows them and each wave's effective sample size.
    assert not comparison.live and weighted_comparison_audit(weighted) == []
    client.force_login(get_user_model().objects.get(username="analyst"))
    html = client.get(
        f"/admin/surveys/compare/{waves['eastfield-before'].pk}/{waves['eastfield-after'].pk}/"
    ).content.decode()
    assert 'data-headline="weighted"' in html
    for wave in weighted.waves[:2]:
        assert f'data-figure="ess">{wave.effective_sample_size:.0f}<' in html
    # An analyst's edit to the margins survives the next start.
    count = PopulationCount.objects.get(
        margins__area__slug="eastfield", profile_key="profile_age", category="16_24"
    )
    count.count = 999
    count.save()
    call_command("load_demo_data")
    count.refresh_from_db()
    assert count.count == 999


def test_demo_survey_is_translated_into_welsh_and_urdu_with_the_same_keys(
    client, django_capture_on_commit_callbacks
):
    # wagtail-localize publishes a translation once its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_data")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_data")
    follow_up = SurveyWave.objects.select_related("survey").get(slug="eastfield-after")
    survey = follow_up.survey
    translations = {t.locale.language_code: t for t in survey.live_translations()}
    assert set(translations) == {"cy", "ur"}
    assert Page.objects.filter(translation_key=survey.translation_key).count() == 3
    for translation in translations.values():
        assert translation.specific.question_keys() == survey.question_keys()
    assert survey.translations_behind() == []
    html = client.get("/cy/survey/eastfield-after/").content.decode()
    assert "Arolwg trigolion Harbridge" in html and "gwella eich stryd?" in html
    # Answers in every language, and the breakdown by language hides the rare ones.
    comparison = comparison_build(
        baseline=SurveyWave.objects.get(slug="eastfield-before"), follow_up=follow_up
    )
    baseline_cells = {c.value: c.count for c in comparison.by_language.baseline.cells}
    follow_up_cells = {c.value: c.count for c in comparison.by_language.follow_up.cells}
    assert baseline_cells["ur"] is None
    assert follow_up_cells["cy"] >= 10 and follow_up_cells["ur"] >= 10
