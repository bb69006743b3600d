"""Every write in the surveys app, one function per action."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from signpost.sanitise import clean_html

from .models import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Answer,
    Response,
    ResponseCode,
    SurveyWave,
    YouSaidWeDidPage,
)
from .selectors import CODE_UNKNOWN, CODE_USED, comparison_build, comparison_snapshot
from .weighted.selectors import weighted_comparison_build
from .weighted.tables import weighted_snapshot_add


class CodeError(Exception):
    """A household code that cannot be accepted; the message is shown to the resident."""


def code_normalise(value: str) -> str:
    """What a resident typed ('abcd-efgh ', 'ABCD EFGH') in the stored form."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def wave_require_codes(*, wave: SurveyWave) -> None:
    """Household leaflets point at this wave: from now on it accepts only answers that
    carry one of its codes, so one household gives one answer."""
    if not wave.requires_code:
        SurveyWave.objects.filter(pk=wave.pk).update(requires_code=True)
        wave.requires_code = True


def response_codes_issue(*, wave: SurveyWave, count: int, print_run=None) -> list[ResponseCode]:
    """Create ``count`` fresh single-use codes for a wave, in bulk, and return them.

    Codes are random (8 characters from 30: about 6.5 × 10^11 possibilities), so they
    cannot be guessed from each other. ``print_run`` is the printing app's run (or its id)
    that carries them.
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
                ResponseCode(wave=wave, code=c, print_run_id=print_run_id, issued_on=today)
                for c in candidates - taken
            ]
            try:
                with transaction.atomic():
                    created = ResponseCode.objects.bulk_create(batch, batch_size=2000)
            except IntegrityError:
                # Another process issued one of these codes a moment ago: draw again.
                continue
            issued.extend(created)
        if print_run_id is not None:
            wave_require_codes(wave=wave)
    return issued


@transaction.atomic
def response_submit(
    *, wave: SurveyWave, answers: dict[str, list[str] | str], code: str = "", on=None
) -> Response:
    """Store one anonymous response, spending its household code if it has one.

    ``answers`` maps question keys to the chosen values (a list) or the free text (a str),
    already validated against the survey's questions. The code is spent by a conditional
    UPDATE, so two submissions racing with the same code cannot both succeed; any failure
    rolls the whole response back.
    """
    on = on or timezone.localdate()
    if not wave.is_open(on):
        raise CodeError("This survey is closed.")
    code = code_normalise(code)
    if code:
        spent = ResponseCode.objects.filter(wave=wave, code=code, used_on__isnull=True).update(
            used_on=on
        )
        if not spent:
            if ResponseCode.objects.filter(wave=wave, code=code).exists():
                raise CodeError(CODE_USED)
            raise CodeError(CODE_UNKNOWN)
    elif wave.requires_code:
        raise CodeError("Please enter the code printed on your leaflet.")

    response = Response.objects.create(wave=wave, submitted_on=on)
    rows = []
    for key, value in answers.items():
        if isinstance(value, str):
            if value:
                rows.append(Answer(response=response, wave=wave, question_key=key, text=value))
        else:
            rows.extend(
                Answer(response=response, wave=wave, question_key=key, choice=choice)
                for choice in dict.fromkeys(value)
            )
    Answer.objects.bulk_create(rows)
    return response


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
