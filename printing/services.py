"""Every write in the printing app, one function per action.

Longer than 500 lines on purpose: rendering a run (in one go, or laid out once and
stamped in parts that are then joined, abandoned or retried) is most of it, and its steps
share the run's work folders, its status changes and its clean-up on failure; split
apart, each piece would reach into the others' private steps.
"""

import datetime
import logging
import os
import shutil
import tempfile
import uuid
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from signpost import jobs
from signpost.languages import language_for
from signpost.links import absolute_url
from signpost.mail import email_send
from signpost.models import Job
from signpost.pdf import accessible_pdf, render_html
from wagtail.log_actions import log
from wagtail.models import Locale

from engagement.activities.services import activity_record_delivered
from surveys.models import ResponseCode
from surveys.services import (
    response_codes_activate,
    response_codes_exist,
    response_codes_issue,
    response_codes_withdraw,
)

from . import prepress, rendering, stamping, tasks
from .models import (
    FORMATS,
    Kind,
    PrintLanguage,
    PrintOutput,
    PrintRun,
    QRTarget,
    ShortLink,
    Sign,
    print_language_codes,
    short_code_generate,
)
from .selectors import signs_overdue

logger = logging.getLogger(__name__)

# Audit-log actions, named <app>.<thing>.<verb> (migration 0004 renamed the older ones).
LOG_ACTION_PRINT_RUN = "printing.print_run.recorded"
LOG_ACTION_PRINT_RUN_READY = "printing.print_run.ready"
LOG_ACTION_SIGN_UP = "printing.sign.put_up"
LOG_ACTION_SIGN_DOWN = "printing.sign.taken_down"


def max_quantity() -> int:
    return getattr(settings, "SIGNPOST_PRINT_MAX_QUANTITY", 10_000)


def max_signs() -> int:
    return getattr(settings, "SIGNPOST_PRINT_MAX_SIGNS", 200)


def print_run_validate(
    *,
    operation,
    area,
    template,
    format: str,
    quantity,
    per_household: bool,
    qr_target,
    target_page,
    survey_wave=None,
    newsletter=None,
    output: str = PrintOutput.OFFICE,
    language: str = PrintLanguage.ENGLISH,
) -> None:
    """Refuse what cannot be printed, with a message per field the officer can act on;
    in another language, also what has not been translated into it."""
    errors: dict[str, str] = {}
    if language not in PrintLanguage.values:
        errors["language"] = "Choose the language to print in."
    if output not in PrintOutput.values:
        errors["output"] = "Choose who prints it."
    elif output == PrintOutput.PRINT_SHOP and (problem := prepress.icc_profile_problem()):
        errors["output"] = problem
    spec = FORMATS.get(format)
    if spec is None:
        errors["format"] = "Choose a format."
    if quantity is None or quantity < 1:
        errors["quantity"] = "Print at least one."
    elif spec and spec.kind == Kind.SIGN and quantity > max_signs():
        errors["quantity"] = f"At most {max_signs():,} signs in one run."
    elif quantity > max_quantity():
        errors["quantity"] = f"At most {max_quantity():,} in one run; split larger drops by area."
    if operation is not None and not operation.areas.exists():
        errors["operation"] = (
            f"{operation} has no area yet. Add the streets it covers to the operation first."
        )
    elif (
        operation is not None
        and area is not None
        and not operation.areas.filter(pk=area.pk).exists()
    ):
        errors["area"] = f"{area} is not one of {operation}'s areas."
    if (template is None) == (newsletter is None):
        errors["template"] = "Choose a print template, or a newsletter to print as a leaflet."
    if newsletter is not None and spec and spec.kind != Kind.LEAFLET:
        errors["newsletter"] = "A newsletter prints as a leaflet, not a sign."
    elif newsletter is not None and not newsletter.live:
        errors["newsletter"] = "Publish the newsletter before printing it."
    if template is not None and spec and template.kind != spec.kind:
        errors["template"] = f"{template} is a {template.get_kind_display().lower()} template."
    if per_household and spec and spec.kind == Kind.SIGN:
        errors["per_household"] = "Household codes go on leaflets, not signs."
    if qr_target == QRTarget.UPDATE_PAGE and target_page is None:
        errors["target_page"] = "Choose the page the QR code leads to."
    if qr_target == QRTarget.SURVEY or per_household:
        if survey_wave is None:
            errors["survey_wave"] = "Choose the survey wave the QR code opens."
        elif area is not None and survey_wave.area_id != area.pk:
            errors["survey_wave"] = f"That survey wave is for {survey_wave.area}, not {area}."
        elif survey_wave.closes_on < timezone.localdate():
            errors["survey_wave"] = (
                f"That survey wave closed on {survey_wave.closes_on:%-d %B %Y}: "
                "residents could not answer it."
            )
    if per_household and qr_target != QRTarget.SURVEY:
        errors["qr_target"] = "Household codes are for the survey: point the QR code at it."
    if errors:
        raise ValidationError(errors)
    print_versions(
        language=language,
        template=template,
        newsletter=newsletter,
        qr_target=qr_target,
        survey_wave=survey_wave,
        target_page=target_page,
        initiative=rendering.branding(),
    )


def _live_translation(page, code: str):
    """The page's live translation in ``code`` (the page itself when it is in it)."""
    return (
        page.__class__.objects.filter(
            translation_key=page.translation_key, locale__language_code=code
        )
        .live()
        .first()
    )


def print_versions(
    *,
    language: str,
    template,
    newsletter,
    qr_target: str,
    survey_wave,
    target_page,
    initiative,
) -> list[rendering.PrintVersion]:
    """The run's words in each language it prints, Welsh first when bilingual.

    A leaflet in a language is in that language throughout: the template's or the
    newsletter's translation, the survey and the page its QR code opens in that
    language. Whatever has no (live) translation is refused, named, rather than printed
    in English: a Welsh leaflet with English words or a QR code that opens an English
    survey is not a Welsh leaflet. The initiative's standard safety wording is English
    only (site settings are not translated): a translated template must carry its own,
    and a translated newsletter prints without those boxes (its contact details and the
    999 line stay, in the language).
    """
    default = settings.LANGUAGE_CODE
    versions, missing = [], []
    codes = print_language_codes(language)
    for code in codes:
        name = language_for(code).english_name
        if code == default:
            translated_template = template and template.get_translation_or_none(
                Locale.get_default()
            )
        else:
            locale = Locale.objects.filter(language_code=code).first()
            translated_template = template and locale and template.get_translation_or_none(locale)
        translated_newsletter = None
        if newsletter is not None:
            in_code = newsletter.locale.language_code == code
            translated_newsletter = (
                newsletter.specific if in_code else _live_translation(newsletter.specific, code)
            )
        if template is not None and translated_template is None:
            missing.append(
                f"The print template “{template}” has no {name} translation: translate it "
                "(Print templates, the template's menu, Translate) first."
            )
        if newsletter is not None and translated_newsletter is None:
            missing.append(
                f"The newsletter “{newsletter.title}” has no live {name} translation: "
                "translate and publish it first."
            )
        survey_length = ""
        if qr_target == QRTarget.SURVEY and survey_wave is not None:
            survey = survey_wave.survey
            if survey.locale.language_code != code:
                survey = _live_translation(survey, code)
            if survey is None:
                missing.append(
                    f"The survey “{survey_wave.survey.title}” has no live {name} "
                    "translation: residents scanning the code would be asked in English."
                )
            else:
                with translation.override(code):
                    survey_length = survey.length_text
        if code == default:
            if translated_template is not None or translated_newsletter is not None:
                versions.append(
                    rendering.english_version(
                        template=translated_template,
                        newsletter=translated_newsletter,
                        initiative=initiative,
                        survey_length=survey_length,
                    )
                )
            continue
        passing_on, help_with = "", ""
        if translated_template is not None:
            passing_on = translated_template.passing_on_information
            help_with = translated_template.help_with_drugs
            wording = [
                (passing_on, initiative.report_information_text, "Passing on information safely")
            ]
            if template.kind != Kind.SIGN:  # a sign has no room for help with drug use
                wording.append((help_with, initiative.help_with_drugs_text, "Help with drug use"))
            for own, standard, label in wording:
                if not own and standard:
                    missing.append(
                        f"The print template “{template}” leaves “{label}” to the "
                        f"initiative's standard wording, which is in English only: write it "
                        f"into the template and its {name} translation."
                    )
        versions.append(
            rendering.PrintVersion(
                language=language_for(code),
                template=translated_template,
                newsletter=translated_newsletter,
                survey_length=survey_length,
                passing_on_information=passing_on,
                help_with_drugs=help_with,
            )
        )
    qr_code = codes[0]
    if (
        qr_target == QRTarget.UPDATE_PAGE
        and target_page is not None
        and qr_code != default
        and _live_translation(target_page, qr_code) is None
    ):
        missing.append(
            f"The page “{target_page.title}” has no live "
            f"{language_for(qr_code).english_name} translation for the QR code to open."
        )
    if missing:
        raise ValidationError({"language": missing})
    return versions


def _unique_code_link(**fields) -> ShortLink:
    for _ in range(10):
        try:
            with transaction.atomic():
                return ShortLink.objects.create(code=short_code_generate(), **fields)
        except IntegrityError:
            continue
    raise RuntimeError("Could not find a free short code.")


def print_items(print_run: PrintRun, start: int = 0, stop: int | None = None):
    """Each printed item's QR address, in page order, from item ``start`` up to ``stop``
    (a generator: large runs stream, and a part of a run reads only its own items)."""
    run_link = print_run.short_links.get(sign__isnull=True)
    stop = print_run.items_in_pdf if stop is None else stop
    if print_run.is_sign_run:
        signs = print_run.signs.select_related("short_link").order_by("number")[start:stop]
        for sign in signs:
            link = sign.short_link
            yield rendering.PrintItem(
                qr_url=link.full_url(), short_address=link.display_address(), number=sign.number
            )
        return
    if print_run.per_household:
        codes = (
            ResponseCode.objects.filter(print_run_id=print_run.pk)
            .order_by("pk")
            .values_list("code", flat=True)[start:stop]
        )
        for number, code in enumerate(codes.iterator(chunk_size=2000), start=start + 1):
            yield rendering.PrintItem(
                # After "#", which no browser sends to a server: see surveys' household codes.
                qr_url=f"{run_link.full_url()}#{code}",
                short_address=run_link.display_address(),
                number=number,
                household_code=ResponseCode(code=code).display,
            )
        return
    for number in range(start + 1, stop + 1):
        yield rendering.PrintItem(
            qr_url=run_link.full_url(), short_address=run_link.display_address(), number=number
        )


def print_layout_kwargs(
    *,
    template,
    newsletter,
    operation,
    area,
    qr_target: str,
    survey_wave,
    output: str = PrintOutput.OFFICE,
    language: str = PrintLanguage.ENGLISH,
    target_page=None,
) -> dict:
    """Everything the page's layout depends on, the same for the form's fit check, its
    preview and the run's PDF (the words in each language printed; the survey's length
    is printed beside a survey QR code; a print shop's page has its bleed and inks)."""
    initiative = rendering.branding()
    return {
        "print_shop": output == PrintOutput.PRINT_SHOP,
        "template": template,
        "operation": operation,
        "area": area,
        "initiative": initiative,
        "versions": print_versions(
            language=language,
            template=template,
            newsletter=newsletter,
            qr_target=qr_target,
            survey_wave=survey_wave,
            target_page=target_page,
            initiative=initiative,
        ),
        "newsletter": newsletter.specific if newsletter is not None else None,
        # The survey's length as its page states it, worked out from its questions.
        "survey_length": (
            survey_wave.survey.length_text
            if qr_target == QRTarget.SURVEY and survey_wave is not None
            else ""
        ),
    }


def print_run_accessible_pdf(print_run: PrintRun) -> bytes:
    """One copy of the run's leaflet or sign as a tagged, accessible PDF (PDF/UA-1), for
    publishing on a website or sending to a screen-reader user: the office layout, its QR
    code leading where the run's does, and no household's code (those are for paper)."""
    link = print_run.short_links.get(sign__isnull=True)
    item = rendering.PrintItem(
        qr_url=link.full_url(), short_address=link.display_address(), number=1
    )
    context = {**print_run_context_kwargs(print_run), "print_shop": False}  # screen, not press
    html = rendering.render_print_html(
        spec=print_run.spec, items=[item], font_scale=print_run.font_scale, **context
    )
    pdf = accessible_pdf(render_html(html))
    if len(context["versions"]) > 1:
        pdf = rendering.language_parts_mark(pdf, [v.tag for v in context["versions"]])
    return pdf


def print_run_context_kwargs(print_run: PrintRun) -> dict:
    return print_layout_kwargs(
        template=print_run.template,
        newsletter=print_run.newsletter,
        operation=print_run.operation,
        area=print_run.area,
        qr_target=print_run.qr_target,
        survey_wave=print_run.survey_wave,
        output=print_run.output,
        language=print_run.language,
        target_page=print_run.target_page,
    )


def print_run_fit(*, spec, per_household: bool, **layout_kwargs):
    """The type scale the run prints at, decided by the run's own layout; text that does
    not fit is a ``ValidationError`` on the field that holds it."""
    sample = rendering.sample_item(per_household=per_household, sign=spec.kind == Kind.SIGN)
    try:
        return rendering.fit_font_scale(spec=spec, sample=sample, **layout_kwargs)
    except rendering.PrintLayoutError as error:
        field = "newsletter" if layout_kwargs.get("newsletter") else "template"
        raise ValidationError({field: str(error)}) from error


@transaction.atomic
def print_run_create(
    *,
    user,
    operation,
    area,
    template,
    format: str,
    quantity: int,
    qr_target: str,
    target_page=None,
    survey_wave=None,
    newsletter=None,
    per_household: bool = False,
    output: str = PrintOutput.OFFICE,
    language: str = PrintLanguage.ENGLISH,
) -> PrintRun:
    """Record a print run, its short link(s) and signs and log it; the PDF is rendered in
    the background once this commits, and the run enters the activity calendar when its
    PDF is delivered (a run that fails leaves no entry).

    Refuses (``ValidationError``) bad input and text that does not fit the format.
    """
    print_run_validate(
        operation=operation,
        area=area,
        template=template,
        format=format,
        quantity=quantity,
        per_household=per_household,
        qr_target=qr_target,
        target_page=target_page,
        survey_wave=survey_wave,
        newsletter=newsletter,
        output=output,
        language=language,
    )
    spec = FORMATS[format]
    font_scale = print_run_fit(
        spec=spec,
        per_household=per_household,
        **print_layout_kwargs(
            template=template,
            newsletter=newsletter,
            operation=operation,
            area=area,
            qr_target=qr_target,
            survey_wave=survey_wave,
            output=output,
            language=language,
            target_page=target_page,
        ),
    )

    print_run = PrintRun.objects.create(
        operation=operation,
        area=area,
        template=template,
        newsletter=newsletter,
        format=format,
        quantity=quantity,
        per_household=per_household,
        qr_target=qr_target,
        target_page=target_page,
        survey_wave=survey_wave if qr_target == QRTarget.SURVEY else None,
        created_by=user,
        font_scale=font_scale,
        output=output,
        language=language,
    )
    _unique_code_link(print_run=print_run)
    if spec.kind == Kind.SIGN:
        signs = Sign.objects.bulk_create(
            Sign(print_run=print_run, number=n) for n in range(1, quantity + 1)
        )
        for sign in signs:
            _unique_code_link(print_run=print_run, sign=sign)

    log(
        instance=print_run,
        action=LOG_ACTION_PRINT_RUN,
        user=user,
        data={
            "format": print_run.get_format_display(),
            "quantity": quantity,
            "operation": str(operation),
            "area": str(area),
            "per_household": per_household,
            "qr_target": print_run.get_qr_target_display(),
            "newsletter": newsletter.title if newsletter else "",
            "output": print_run.get_output_display(),
            "language": print_run.get_language_display(),
        },
    )
    _queue_render(print_run.pk)
    return print_run


# Rendering. A run is laid out once into its work folder (``run-<id>/``); its items are
# stamped in parts, each a job of the ledger (``signpost.jobs``) writing its own file,
# named only once complete; the join writes the one PDF and delivers it. A worker killed
# at any point loses at most the part it was stamping: beat resends the job, which finds
# the parts already on disk and stamps only the missing ones. Nothing reaches residents
# until delivery: the household codes are issued inactive and, with the survey wave's
# switch to code-only, take effect in the same transaction that attaches the PDF; a run
# that fails withdraws them and removes its files.

RENDER_KEY = "printing.print_run:{id}:render"
PART_KEY = "printing.print_run:{id}:part:{index}"
JOIN_KEY = "printing.print_run:{id}:join"


def _job_prefix(print_run_id: int) -> str:
    return f"printing.print_run:{print_run_id}:"


def _queue_render(print_run_id: int) -> None:
    jobs.job_queue(
        tasks.print_run_render,
        print_run_id,
        key=RENDER_KEY.format(id=print_run_id),
        label=f"Print run {print_run_id}: lay out",
    )


def _print_run_for_render(print_run_id: int) -> PrintRun:
    return PrintRun.objects.select_related(
        "operation", "area", "template", "survey_wave__survey"
    ).get(pk=print_run_id)


def _render_prepare(print_run_id: int) -> PrintRun | None:
    """Mark the run rendering and issue its household codes (inactive) if it has none
    yet; None when the run is ready or failed (nothing to do)."""
    with transaction.atomic():
        print_run = (
            PrintRun.objects.select_for_update(of=("self",))
            .select_related("operation", "area", "template", "survey_wave__survey")
            .get(pk=print_run_id)
        )
        if print_run.status in (PrintRun.Status.READY, PrintRun.Status.FAILED):
            return None
        if print_run.per_household and not response_codes_exist(print_run_id=print_run.pk):
            response_codes_issue(
                wave=print_run.survey_wave,
                count=print_run.quantity,
                print_run=print_run,
                pending=True,
            )
        if print_run.status != PrintRun.Status.RENDERING:
            print_run.status = PrintRun.Status.RENDERING
            print_run.error = ""
            print_run.save(update_fields=["status", "error"])
    return print_run


def _render_failed(print_run_id: int, error: Exception) -> None:
    """The run cannot be printed as it stands: failed, and nothing of it is kept."""
    logger.exception("Print run %s failed to render: %s", print_run_id, error)
    with transaction.atomic():
        failed = (
            PrintRun.objects.filter(pk=print_run_id)
            .exclude(status=PrintRun.Status.READY)
            .update(
                status=PrintRun.Status.FAILED,
                error=str(error)[:2000] or error.__class__.__name__,
            )
        )
        if failed:
            response_codes_withdraw(print_run_id=print_run_id)
    shutil.rmtree(_run_folder(print_run_id), ignore_errors=True)


@contextmanager
def _failed_on_error(print_run_id: int):
    """A render step that fails for the run's own reasons fails the run (and raises on);
    a service that went away (database, broker) leaves the job to be resumed."""
    try:
        yield
    except Exception as error:
        if not jobs.is_transient(error):
            _render_failed(print_run_id, error)
        raise


def _attach_pdf(print_run: PrintRun, path: str, page_count: int) -> PrintRun:
    """Deliver the run, in one transaction: attach the file, mark it ready, and make its
    household codes (and the wave's code-only rule) and its calendar entry take effect. A
    run already ready (another delivery got there first) is left as it is."""
    name = f"{print_run.download_filename()[:-4]}-{uuid.uuid4().hex[:8]}.pdf"
    with transaction.atomic():
        locked = PrintRun.objects.select_for_update().get(pk=print_run.pk)
        if locked.status == PrintRun.Status.READY:
            return locked
        with open(path, "rb") as handle:
            locked.pdf.save(name, File(handle), save=False)
        try:
            locked.status = PrintRun.Status.READY
            locked.items_rendered = locked.items_in_pdf
            locked.page_count = page_count
            locked.rendered_at = timezone.now()
            locked.error = ""
            locked.save()
            if locked.per_household:
                response_codes_activate(print_run_id=locked.pk, wave=print_run.survey_wave)
            activity_record_delivered(
                source=locked,
                mode=locked.activity_mode,
                title=f"{locked.get_format_display()} × {locked.quantity:,} for {locked.area}",
                delivered_on=timezone.localdate(locked.created_at),
                area=locked.area,
                operation=locked.operation,
                owner=locked.created_by,
                audience=f"Households in {locked.area}",
            )
            log(
                instance=locked,
                action=LOG_ACTION_PRINT_RUN_READY,
                user=None,
                data={"pages": page_count},
            )
        except Exception:
            # The transaction rolls back: the stored file must not outlive it.
            locked.pdf.delete(save=False)
            raise
        return locked


def print_run_render(*, print_run_id: int) -> PrintRun:
    """Render a run: in this process when it is one part (or tasks run in-process), else
    lay it out and queue a job per part not yet stamped. Safe to run again at any point."""
    print_run = _render_prepare(print_run_id)
    if print_run is None:
        return PrintRun.objects.get(pk=print_run_id)
    parts = print_run_parts(print_run)
    if len(parts) <= 1 or settings.CELERY_TASK_ALWAYS_EAGER:
        return _render_in_process(print_run)
    folder = _run_folder(print_run.pk)
    with _failed_on_error(print_run.pk):
        _layout_once(print_run, folder)
    missing = [
        (index, start, stop)
        for index, (start, stop) in enumerate(parts)
        if not os.path.exists(_part_path(folder, index))
    ]
    _progress_from_disk(print_run, folder, parts)
    for index, start, stop in missing:
        jobs.job_queue(
            tasks.print_run_render_part,
            print_run.pk,
            index,
            start,
            stop,
            key=PART_KEY.format(id=print_run.pk, index=index),
            label=f"Print run {print_run.pk}: part {index + 1} of {len(parts)}",
        )
    if not missing:
        _queue_join(print_run.pk, len(parts))
    return print_run


def _render_in_process(print_run: PrintRun) -> PrintRun:
    def on_progress(done: int, _total: int) -> None:
        jobs.job_heartbeat()
        PrintRun.objects.filter(pk=print_run.pk, status=PrintRun.Status.RENDERING).update(
            items_rendered=done
        )

    folder = os.path.join(_run_folder(print_run.pk), f"single-{uuid.uuid4().hex}")
    os.makedirs(folder)
    try:
        with _failed_on_error(print_run.pk):
            path = os.path.join(folder, "run.pdf")
            page_count = rendering.render_items_to_file(
                spec=print_run.spec,
                items=print_items(print_run),
                total=print_run.items_in_pdf,
                path=path,
                on_progress=on_progress,
                font_scale=print_run.font_scale,
                sample=_sample_for(print_run),
                work_folder=folder,
                **print_run_context_kwargs(print_run),
            )
            print_run = _attach_pdf(print_run, path, page_count)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if print_run.status == PrintRun.Status.READY:
        shutil.rmtree(_run_folder(print_run.pk), ignore_errors=True)
    return print_run


def _sample_for(print_run: PrintRun) -> rendering.PrintItem:
    return rendering.sample_item(per_household=print_run.per_household, sign=print_run.is_sign_run)


def _work_root() -> str:
    return getattr(settings, "SIGNPOST_PRINT_WORK_DIR", None) or os.path.join(
        tempfile.gettempdir(), "signpost-print"
    )


def _run_folder(print_run_id: int) -> str:
    return os.path.join(_work_root(), f"run-{int(print_run_id)}")


def _layout_paths(folder: str) -> tuple[str, str]:
    return os.path.join(folder, "page.pdf"), os.path.join(folder, "slots.json")


def _part_path(folder: str, index: int) -> str:
    return os.path.join(folder, f"part-{int(index):05d}.pdf")


def _layout_once(print_run: PrintRun, folder: str) -> None:
    """Lay the run's page out into its folder unless an earlier attempt did; the slots
    file, written last and named only when complete, says the layout is whole."""
    pdf_path, slots_path = _layout_paths(folder)
    if os.path.exists(slots_path) and os.path.exists(pdf_path):
        return
    os.makedirs(folder, exist_ok=True)
    layout = rendering.layout_static(
        spec=print_run.spec,
        sample=_sample_for(print_run),
        pdf_path=pdf_path,
        font_scale=print_run.font_scale,
        **print_run_context_kwargs(print_run),
    )
    stamping.replace_when_complete(layout.save_slots, slots_path)


def print_run_parts(print_run: PrintRun) -> list[tuple[int, int]]:
    """The run's items split into parts, as (start, stop) ranges in page order."""
    size = rendering.default_part_size()
    total = print_run.items_in_pdf
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def _progress_from_disk(print_run: PrintRun, folder: str, parts) -> int:
    """Items in the parts stamped so far, counted from the files (so a part stamped twice
    counts once), written to the run's progress."""
    done = sum(
        stop - start
        for index, (start, stop) in enumerate(parts)
        if os.path.exists(_part_path(folder, index))
    )
    PrintRun.objects.filter(pk=print_run.pk, status=PrintRun.Status.RENDERING).update(
        items_rendered=done
    )
    return done


def _queue_join(print_run_id: int, parts: int) -> None:
    jobs.job_queue(
        tasks.print_run_render_join,
        print_run_id,
        parts,
        key=JOIN_KEY.format(id=print_run_id),
        label=f"Print run {print_run_id}: join and deliver",
    )


def print_run_render_part(*, print_run_id: int, index: int, start: int, stop: int) -> int:
    """Stamp items ``start`` to ``stop`` into part ``index``, unless it is on disk already
    (an earlier delivery finished it); queue the join once every part is. Returns the
    items stamped here."""
    print_run = _print_run_for_render(print_run_id)
    if print_run.status != PrintRun.Status.RENDERING:
        return 0
    folder = _run_folder(print_run_id)
    pdf_path, slots_path = _layout_paths(folder)
    if not (os.path.exists(pdf_path) and os.path.exists(slots_path)):
        # The work folder went (another machine, a cleaned /tmp): lay out again.
        _queue_render(print_run_id)
        return 0
    path = _part_path(folder, index)
    count = 0
    if not os.path.exists(path):
        with _failed_on_error(print_run_id):
            layout = stamping.StaticLayout.load(pdf_path, slots_path)

            def write(partial: str) -> None:
                nonlocal count
                count = rendering.stamp_items(
                    layout,
                    print_items(print_run, start, stop),
                    partial,
                    on_progress=lambda _n: jobs.job_heartbeat(),
                )

            stamping.replace_when_complete(write, path)
    parts = print_run_parts(print_run)
    _progress_from_disk(print_run, folder, parts)
    if all(os.path.exists(_part_path(folder, i)) for i in range(len(parts))):
        _queue_join(print_run_id, len(parts))
    return count


def print_run_render_join(*, print_run_id: int, parts: int) -> PrintRun:
    """Join the parts into the run's PDF and deliver it; tidy the work folder. A part
    missing (its file lost) sends the run back to stamping it."""
    print_run = _print_run_for_render(print_run_id)
    if print_run.status != PrintRun.Status.RENDERING:
        return print_run
    folder = _run_folder(print_run_id)
    part_paths = [_part_path(folder, index) for index in range(parts)]
    if not all(os.path.exists(p) for p in [*part_paths, *_layout_paths(folder)]):
        _queue_render(print_run_id)
        return print_run
    path = os.path.join(folder, "run.pdf")
    with _failed_on_error(print_run_id):
        layout = stamping.StaticLayout.load(*_layout_paths(folder))
        page_count = 0

        def join(partial: str) -> None:
            nonlocal page_count
            page_count = stamping.join_parts(layout, part_paths, partial)

        stamping.replace_when_complete(join, path)
    print_run = _attach_pdf(print_run, path, page_count)
    shutil.rmtree(folder, ignore_errors=True)
    return print_run


def print_run_is_stuck(print_run: PrintRun) -> bool:
    """Waiting or rendering with no job alive to finish it (each stalled or failed)."""
    if print_run.status not in (PrintRun.Status.PENDING, PrintRun.Status.RENDERING):
        return False
    run_jobs = list(Job.objects.filter(key__startswith=_job_prefix(print_run.pk)))
    unfinished = [job for job in run_jobs if job.state in (Job.State.QUEUED, Job.State.RUNNING)]
    if any(not jobs.job_is_stalled(job) for job in unfinished):
        return False
    # Nothing alive: stuck if something of it stalled or failed, or it has waited longer
    # than a job may (a run queued before the ledger, or whose job was lost).
    waited = timezone.now() - print_run.created_at
    return (
        bool(unfinished)
        or any(job.state == Job.State.FAILED for job in run_jobs)
        or (waited.total_seconds() > jobs.default_stall_seconds())
    )


def print_run_retry(*, print_run: PrintRun) -> bool:
    """Queue a failed or stuck run again, from where it stopped. The status moves in one
    conditional update, so two clicks (or two officers) queue one render, not two.
    Returns whether it did."""
    if print_run.status == PrintRun.Status.FAILED:
        queued = PrintRun.objects.filter(pk=print_run.pk, status=PrintRun.Status.FAILED).update(
            status=PrintRun.Status.PENDING, error=""
        )
    elif print_run_is_stuck(print_run):
        queued = 1
    else:
        return False
    if queued:
        for job in Job.objects.filter(
            key__startswith=_job_prefix(print_run.pk),
            state__in=[Job.State.QUEUED, Job.State.RUNNING],
        ):
            jobs.job_retry(job=job)
        _queue_render(print_run.pk)
    return bool(queued)


def short_link_count_scan(*, link: ShortLink) -> None:
    """One more scan, counted in the database (``F()``) so simultaneous scans all count."""
    ShortLink.objects.filter(pk=link.pk).update(
        scan_count=F("scan_count") + 1, last_scanned_on=timezone.localdate()
    )


@transaction.atomic
def sign_log(
    *,
    sign: Sign,
    user,
    location: str,
    put_up_at: datetime.datetime | None,
    due_down_on: datetime.date | None = None,
    taken_down_at: datetime.datetime | None = None,
) -> Sign:
    """Record where and when a sign went up, when it is due down, and when it came down.
    A sign put up without a due date is due down after the default number of days."""
    was_up, was_down = sign.put_up_at is not None, sign.taken_down_at is not None
    sign.location = location.strip()
    sign.put_up_at = put_up_at
    if put_up_at and not was_up:
        sign.put_up_by = user
    if put_up_at and due_down_on is None:
        due_down_on = timezone.localdate(put_up_at) + datetime.timedelta(
            days=sign_default_days_up()
        )
    sign.due_down_on = due_down_on
    sign.taken_down_at = taken_down_at
    sign.full_clean()
    sign.save()
    if put_up_at and not was_up:
        log(instance=sign, action=LOG_ACTION_SIGN_UP, user=user, data={"location": sign.location})
    if taken_down_at and not was_down:
        log(instance=sign, action=LOG_ACTION_SIGN_DOWN, user=user)
    return sign


def sign_default_days_up() -> int:
    return getattr(settings, "SIGNPOST_SIGN_DAYS_UP", 3)


def signs_chase_overdue(*, today: datetime.date | None = None) -> int:
    """Email whoever put up (or printed) each overdue sign, once a day, one email per
    person listing their signs. Returns how many emails went.

    Each person's signs are locked, emailed about and stamped in one transaction: a
    worker killed before the stamp commits leaves them to the next run (at most one
    second email), never stamped without the email."""
    today = today or timezone.localdate()
    by_person: dict = {}
    for sign in signs_overdue(today).exclude(reminded_on=today):
        person = sign.put_up_by or sign.print_run.created_by
        if person is not None and person.email:
            by_person.setdefault(person, []).append(sign.pk)
    overdue_url = absolute_url(reverse("printing_signs:index") + "?show=overdue")
    sent = 0
    for person, sign_ids in by_person.items():
        with transaction.atomic():
            signs = list(
                signs_overdue(today)
                .exclude(reminded_on=today)
                .filter(pk__in=sign_ids)
                .select_for_update(skip_locked=True, of=("self",))
            )
            if not signs:  # reminded meanwhile, or another worker holds them
                continue
            email_send(
                to=[person.email],
                subject=f"{len(signs)} sign{'s' if len(signs) != 1 else ''} overdue to come down",
                text_template="email/printing/signs_overdue.txt",
                context={"person": person, "signs": signs, "signs_url": overdue_url},
            )
            Sign.objects.filter(pk__in=[sign.pk for sign in signs]).update(reminded_on=today)
            sent += 1
    return sent
