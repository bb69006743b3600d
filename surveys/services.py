"""Every write in the surveys app, one function per action."""

import random
import secrets
import unicodedata

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext
from signpost.sanitise import clean_html

from .models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Answer,
    PendingResponse,
    Response,
    ResponseCode,
    SurveyWave,
    WaveResults,
    YouSaidWeDidPage,
)
from .selectors import (
    CODE_UNKNOWN,
    CODE_USED,
    comparison_build,
    comparison_snapshot,
    wave_answers_stored,
    wave_counts_live,
)
from .weighted.selectors import wave_figures_live, weighted_comparison_build
from .weighted.tables import weighted_snapshot_add


class CodeError(Exception):
    """A household code that cannot be accepted; the message is shown to the resident."""


# Longer than any code (eight characters), so a mistyped one is still shown as typed.
CODE_TYPED_MAX = 16


def code_normalise(value: str) -> str:
    """What a resident typed ('abcd-efgh ', 'ABCD EFGH', full-width 'ＡＢＣＤ２３４５' from a
    phone's keyboard) in the stored form: ASCII letters and digits only, at most
    ``CODE_TYPED_MAX`` of them. Anything else could never be a code, and the code travels
    in a signed cookie, which carries Latin-1 only."""
    folded = unicodedata.normalize("NFKC", value or "").upper()
    return "".join(ch for ch in folded if ch.isascii() and ch.isalnum())[:CODE_TYPED_MAX]


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def wave_require_codes(*, wave: SurveyWave) -> None:
    """Household leaflets point at this wave: from now on it accepts only answers that
    carry one of its codes, so one household gives one answer."""
    if not wave.requires_code:
        SurveyWave.objects.filter(pk=wave.pk).update(requires_code=True)
        wave.requires_code = True


def response_codes_issue(
    *, wave: SurveyWave, count: int, print_run=None, pending: bool = False
) -> list[ResponseCode]:
    """Create ``count`` fresh single-use codes for a wave, in bulk, and return them.

    Codes are random (8 characters from 30: about 6.5 × 10^11 possibilities), so they
    cannot be guessed from each other. ``print_run`` is the printing app's run (or its id)
    that carries them. ``pending`` codes are not accepted (and the wave not switched to
    code-only) until ``response_codes_activate``: a leaflet's codes take effect when its
    PDF is delivered, never before.
    """
    limit = getattr(settings, "SURVEYS_MAX_CODES_PER_ISSUE", 50_000)
    if not 1 <= count <= limit:
        raise ValueError(f"Ask for between 1 and {limit:,} codes.")
    print_run_id = getattr(print_run, "pk", print_run)
    today = timezone.localdate()
    issued: list[ResponseCode] = []
    with transaction.atomic():
        while len(issued) < count:
            wanted = count - len(issued)
            candidates = {_new_code() for _ in range(wanted)}
            taken = set(
                ResponseCode.objects.filter(code__in=candidates).values_list("code", flat=True)
            )
            batch = [
                ResponseCode(
                    wave=wave,
                    code=c,
                    print_run_id=print_run_id,
                    issued_on=today,
                    active=not pending,
                )
                for c in candidates - taken
            ]
            try:
                with transaction.atomic():
                    created = ResponseCode.objects.bulk_create(batch, batch_size=2000)
            except IntegrityError:
                # Another process issued one of these codes a moment ago: draw again.
                continue
            issued.extend(created)
        if print_run_id is not None and not pending:
            wave_require_codes(wave=wave)
    return issued


def response_codes_exist(*, print_run_id: int) -> bool:
    return ResponseCode.objects.filter(print_run_id=print_run_id).exists()


def response_codes_activate(*, print_run_id: int, wave: SurveyWave) -> int:
    """A household leaflet run was delivered: its codes are accepted from now on and the
    wave takes answers only with one. Call inside the delivery's transaction."""
    activated = ResponseCode.objects.filter(print_run_id=print_run_id, active=False).update(
        active=True, issued_on=timezone.localdate()
    )
    wave_require_codes(wave=wave)
    return activated


def response_codes_withdraw(*, print_run_id: int) -> int:
    """A household leaflet run failed: the codes drawn for it, never printed, go."""
    deleted, _ = ResponseCode.objects.filter(print_run_id=print_run_id, active=False).delete()
    return deleted


@transaction.atomic
def response_submit(
    *,
    wave: SurveyWave,
    answers: dict[str, list[str] | str],
    code: str = "",
    language: str = settings.LANGUAGE_CODE,
    on=None,
) -> PendingResponse:
    """Accept one anonymous response, spending its household code if it has one.

    ``answers`` maps question keys to the chosen values (a list) or the free text (a str),
    already validated against the survey's questions (a translation's keys are its
    source's); ``language`` is the one the resident read them in. The code is spent by a conditional
    UPDATE that records only that it was used, so two submissions racing with the same
    code cannot both succeed; any failure rolls both back. The answers wait as a
    ``PendingResponse`` until ``responses_flush`` stores them in a shuffled batch, in
    another transaction: nothing in the stored response shares a transaction, a time or
    an order with the code.
    """
    on = on or timezone.localdate()
    if not wave.is_open(on):
        raise CodeError(gettext("This survey is closed."))
    code = code_normalise(code)
    if code:
        spent = ResponseCode.objects.filter(wave=wave, code=code, used=False, active=True).update(
            used=True
        )
        if not spent:
            if ResponseCode.objects.filter(wave=wave, code=code, active=True).exists():
                raise CodeError(CODE_USED)
            raise CodeError(CODE_UNKNOWN)
    elif wave.requires_code:
        raise CodeError(gettext("Please enter the code printed on your leaflet."))
    kept = {}
    for key, value in answers.items():
        if isinstance(value, str):
            if value:
                kept[key] = value
        elif value:
            kept[key] = list(dict.fromkeys(value))
    return PendingResponse.objects.create(wave=wave, answers=kept, language=language)


def responses_flush(*, today=None) -> int:
    """Store pending answers as responses, wave by wave, in shuffled batches; return how
    many were stored.

    An open wave's pending answers are stored once there are at least
    ``SURVEYS_RESPONSE_BATCH_MIN`` of them, all in one transaction, in random order, so
    the rows' transaction id (PostgreSQL ``xmin``), their ids and their place on disk are
    shared with the whole batch. Once a wave has closed, a last batch smaller than that is
    not stored alone: the wave's responses are written again with it, in one shuffled
    batch, so nothing finer than the wave remains. After each batch the wave's published
    results are renewed if enough have arrived (``wave_results_publish``). On PostgreSQL
    the pending table is then vacuumed, so the removed rows' versions go too.
    """
    today = today or timezone.localdate()
    minimum = max(1, settings.SURVEYS_RESPONSE_BATCH_MIN)
    wave_ids = set(PendingResponse.objects.values_list("wave_id", flat=True).order_by())
    stored = 0
    for wave in SurveyWave.objects.filter(pk__in=wave_ids).order_by("pk"):
        stored += _wave_flush(wave=wave, minimum=minimum, closed=wave.closes_on < today)
    if stored and connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM {PendingResponse._meta.db_table}")
    return stored


@transaction.atomic
def _wave_flush(*, wave: SurveyWave, minimum: int, closed: bool) -> int:
    pending = list(
        PendingResponse.objects.select_for_update(skip_locked=True)
        .filter(wave=wave)
        .values_list("pk", "language", "answers")
    )
    if not pending or (len(pending) < minimum and not closed):
        return 0
    batch = [(language, answers) for _, language, answers in pending]
    if len(pending) < minimum:
        # A closed wave's last few: rewrite the whole wave with them.
        batch += wave_answers_stored(wave)
        Answer.objects.filter(wave=wave).delete()
        Response.objects.filter(wave=wave).delete()
    random.SystemRandom().shuffle(batch)
    responses = Response.objects.bulk_create(
        [Response(wave=wave, language=language) for language, _ in batch]
    )
    rows = []
    for response, (_, answers) in zip(responses, batch, strict=True):
        for key, value in answers.items():
            if isinstance(value, str):
                rows.append(Answer(response=response, wave=wave, question_key=key, text=value))
            else:
                rows.extend(
                    Answer(response=response, wave=wave, question_key=key, choice=choice)
                    for choice in value
                )
    Answer.objects.bulk_create(rows, batch_size=5000)
    PendingResponse.objects.filter(pk__in=[pk for pk, *_ in pending]).delete()
    wave_results_publish(wave=wave)
    return len(pending)


def wave_results_publish(*, wave: SurveyWave, on=None) -> WaveResults | None:
    """Publish the wave's counts as they stand, if at least the suppression threshold of
    responses have arrived since its last publication (or, for the first, in all);
    otherwise publish nothing and return None. Two publications of one wave therefore
    never differ by fewer than the threshold."""
    threshold = settings.SURVEYS_SUPPRESSION_THRESHOLD
    live = wave_counts_live(wave)
    last = WaveResults.objects.filter(wave=wave).order_by("-responses").first()
    if live.responses - (last.responses if last else 0) < threshold:
        return None
    # Weighted from the same stored responses as the counts (within the flush's
    # transaction, nothing else is stored meanwhile), so the published weighted figures
    # describe exactly the published respondents.
    figures = wave_figures_live(wave)
    return WaveResults.objects.create(
        wave=wave,
        taken_on=on or timezone.localdate(),
        responses=live.responses,
        counts=live.counts,
        answered=live.answered,
        languages=live.languages,
        weighting=figures.as_json(),
    )


def wave_results_weigh(*, area_id: int) -> int:
    """An area's population margins were given: each of its waves' latest published
    results that were not weighted yet, and whose respondents are still exactly the
    stored ones, are weighted now. Results already weighted keep their weighting (new
    margins take effect at the next publication), so one set of published respondents is
    never published weighted two ways. Returns how many were weighted."""
    weighed = 0
    for wave in SurveyWave.objects.filter(area_id=area_id).select_related("area", "survey"):
        latest = WaveResults.objects.filter(wave=wave).order_by("-responses").first()
        if latest is None or latest.weighting.get("margins"):
            continue
        if latest.responses != wave.responses.count():
            continue
        figures = wave_figures_live(wave)
        if figures.margins:
            latest.weighting = figures.as_json()
            latest.save(update_fields=["weighting"])
            weighed += 1
    return weighed


@transaction.atomic
def you_said_we_did_create(
    *,
    baseline: SurveyWave,
    follow_up: SurveyWave,
    title: str,
    you_said: str,
    we_did: str,
    what_changed: str,
    user,
):
    """Make a draft "you said, we did" page under the follow-up's survey from a comparison.

    The figures are a snapshot with suppression applied. The page starts as a draft so it
    goes through the usual sign-off before residents see it.
    """
    comparison = comparison_build(baseline=baseline, follow_up=follow_up)
    page = YouSaidWeDidPage(
        title=title,
        baseline=baseline,
        follow_up=follow_up,
        you_said=clean_html(you_said),
        we_did=clean_html(we_did),
        what_changed=what_changed,
        results=weighted_snapshot_add(
            comparison_snapshot(comparison), weighted_comparison_build(comparison)
        ),
        live=False,
        owner=user,
    )
    follow_up.survey.add_child(instance=page)
    page.save_revision(user=user, log_action=True)
    return page
