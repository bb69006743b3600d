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
from django.db.models.functions import Least
from django.urls import reverse
from django.utils import timezone
from signpost.links import absolute_url
from signpost.mail import email_send
from wagtail.log_actions import log

from engagement.activities.services import activity_record_delivered
from surveys.models import ResponseCode
from surveys.services import response_codes_issue

from . import rendering, stamping, tasks
from .models import FORMATS, Kind, PrintRun, QRTarget, ShortLink, Sign, short_code_generate
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
) -> None:
    """Refuse what cannot be printed, with a message per field the officer can act on."""
    errors: dict[str, str] = {}
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


def print_run_context_kwargs(print_run: PrintRun) -> dict:
    return {
        "template": print_run.template,
        "operation": print_run.operation,
        "area": print_run.area,
        "initiative": rendering.branding(),
        "newsletter": print_run.newsletter.specific if print_run.newsletter_id else None,
        # The survey's length as its page states it, worked out from its questions.
        "survey_length": (
            print_run.survey_wave.survey.length_text
            if print_run.qr_target == QRTarget.SURVEY and print_run.survey_wave_id
            else ""
        ),
    }


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
) -> PrintRun:
    """Record a print run, its short link(s) and signs, log it and put it in the activity
    calendar; the PDF is rendered in the background once this commits.

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
    )
    spec = FORMATS[format]
    sample = rendering.sample_item(per_household=per_household)
    initiative = rendering.branding()
    try:
        font_scale = rendering.fit_font_scale(
            spec=spec,
            sample=sample,
            template=template,
            newsletter=newsletter,
            operation=operation,
            area=area,
            initiative=initiative,
        )
    except rendering.PrintLayoutError as error:
        raise ValidationError({"newsletter" if newsletter else "template": str(error)}) from error

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
    )
    _unique_code_link(print_run=print_run)
    if per_household:
        # Issued once, with the run, so a re-render prints the same codes.
        response_codes_issue(wave=survey_wave, count=quantity, print_run=print_run)
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
        },
    )
    activity_record_delivered(
        source=print_run,
        mode=print_run.activity_mode,
        title=f"{print_run.get_format_display()} × {quantity:,} for {area}",
        delivered_on=timezone.localdate(print_run.created_at),
        area=area,
        operation=operation,
        owner=user,
        audience=f"Households in {area}",
    )
    transaction.on_commit(lambda: _queue_render(print_run.pk))
    return print_run


def _queue_render(print_run_id: int) -> None:
    tasks.print_run_render.delay(print_run_id)


def _print_run_for_render(print_run_id: int) -> PrintRun:
    return PrintRun.objects.select_related("operation", "area", "template", "survey_wave").get(
        pk=print_run_id
    )


def _render_started(print_run: PrintRun) -> bool:
    """Mark the run rendering (unless it is already ready); whether there is work."""
    if print_run.status == PrintRun.Status.READY:
        return False
    PrintRun.objects.filter(pk=print_run.pk).exclude(status=PrintRun.Status.READY).update(
        status=PrintRun.Status.RENDERING, items_rendered=0, error=""
    )
    return True


def _render_failed(print_run_id: int, error: Exception) -> None:
    logger.exception("Print run %s failed to render: %s", print_run_id, error)
    PrintRun.objects.filter(pk=print_run_id).exclude(status=PrintRun.Status.READY).update(
        status=PrintRun.Status.FAILED,
        error=str(error)[:2000] or error.__class__.__name__,
    )


def _attach_pdf(print_run: PrintRun, path: str, page_count: int) -> PrintRun:
    """Attach the finished file and mark the run ready, unless another attempt got there
    first (then its file is kept and this one dropped)."""
    with transaction.atomic():
        locked = PrintRun.objects.select_for_update().get(pk=print_run.pk)
        if locked.status == PrintRun.Status.READY:
            return locked
        with open(path, "rb") as handle:
            locked.pdf.save(
                f"{locked.download_filename()[:-4]}-{uuid.uuid4().hex[:8]}.pdf",
                File(handle),
                save=False,
            )
        locked.status = PrintRun.Status.READY
        locked.items_rendered = locked.items_in_pdf
        locked.page_count = page_count
        locked.rendered_at = timezone.now()
        locked.save()
        log(
            instance=locked,
            action=LOG_ACTION_PRINT_RUN_READY,
            user=None,
            data={"pages": page_count},
        )
        return locked


def print_run_render(*, print_run_id: int) -> PrintRun:
    """Render a run's PDF in this process and attach it. Safe to run twice or
    concurrently: a ready run is left alone, and each attempt writes its own file, of
    which only the first to finish is kept."""
    print_run = _print_run_for_render(print_run_id)
    if not _render_started(print_run):
        return print_run
    total = print_run.items_in_pdf

    def on_progress(done: int, _total: int) -> None:
        PrintRun.objects.filter(pk=print_run.pk, status=PrintRun.Status.RENDERING).update(
            items_rendered=done
        )

    attempt = uuid.uuid4().hex
    folder = _attempt_folder(print_run.pk, attempt)
    os.makedirs(folder)
    with _abandoned_on_failure(print_run_id=print_run.pk, attempt=attempt):
        path = os.path.join(folder, "run.pdf")
        page_count = rendering.render_items_to_file(
            spec=print_run.spec,
            items=print_items(print_run),
            total=total,
            path=path,
            on_progress=on_progress,
            font_scale=print_run.font_scale,
            sample=_sample_for(print_run),
            work_folder=folder,
            **print_run_context_kwargs(print_run),
        )
        print_run = _attach_pdf(print_run, path, page_count)
    # Ready: this attempt's folder and any left by attempts that were killed go.
    shutil.rmtree(_run_folder(print_run.pk), ignore_errors=True)
    return print_run


def _sample_for(print_run: PrintRun) -> rendering.PrintItem:
    return rendering.sample_item(per_household=print_run.per_household, sign=print_run.is_sign_run)


# A run of more than one part is stamped by several workers: the run's page is laid out
# once into a folder they share, each part task stamps its share of the items into a file
# of its own, and the join writes the one PDF. Every attempt has its own folder, removed
# when the run is ready or the attempt fails; a killed attempt's is removed by the next
# attempt to finish.


def _work_root() -> str:
    return getattr(settings, "SIGNPOST_PRINT_WORK_DIR", None) or os.path.join(
        tempfile.gettempdir(), "signpost-print"
    )


def _run_folder(print_run_id: int) -> str:
    return os.path.join(_work_root(), f"run-{print_run_id}")


def _attempt_folder(print_run_id: int, attempt: str) -> str:
    if not attempt.isalnum():
        raise ValueError("Not an attempt of a print run.")
    return os.path.join(_run_folder(print_run_id), attempt)


def _layout_paths(folder: str) -> tuple[str, str]:
    return os.path.join(folder, "page.pdf"), os.path.join(folder, "slots.json")


def _part_path(folder: str, index: int) -> str:
    return os.path.join(folder, f"part-{index:05d}.pdf")


def print_run_parts(print_run: PrintRun) -> list[tuple[int, int]]:
    """The run's items split into parts, as (start, stop) ranges in page order."""
    size = rendering.default_part_size()
    total = print_run.items_in_pdf
    return [(start, min(start + size, total)) for start in range(0, total, size)]


def print_run_render_start(*, print_run_id: int) -> str | None:
    """Start a render in parts: mark the run rendering and lay its page out once in a new
    attempt folder. Returns the attempt's name, or None when the run is already ready."""
    print_run = _print_run_for_render(print_run_id)
    if not _render_started(print_run):
        return None
    attempt = uuid.uuid4().hex
    folder = _attempt_folder(print_run.pk, attempt)
    os.makedirs(folder)
    with _abandoned_on_failure(print_run_id=print_run.pk, attempt=attempt):
        pdf_path, slots_path = _layout_paths(folder)
        layout = rendering.layout_static(
            spec=print_run.spec,
            sample=_sample_for(print_run),
            pdf_path=pdf_path,
            font_scale=print_run.font_scale,
            **print_run_context_kwargs(print_run),
        )
        layout.save_slots(slots_path)
    return attempt


def print_run_render_part(*, print_run_id: int, attempt: str, index: int, start: int, stop: int):
    """Stamp items ``start`` to ``stop`` of a run into the attempt's part ``index``. A part
    stamped twice (a worker lost mid-way) is simply written again."""
    folder = _attempt_folder(print_run_id, attempt)
    print_run = _print_run_for_render(print_run_id)
    if print_run.status != PrintRun.Status.RENDERING or not os.path.isdir(folder):
        return 0
    with _abandoned_on_failure(print_run_id=print_run_id, attempt=attempt):
        layout = stamping.StaticLayout.load(*_layout_paths(folder))
        count = 0

        def write(partial: str) -> None:
            nonlocal count
            count = rendering.stamp_items(layout, print_items(print_run, start, stop), partial)

        stamping.replace_when_complete(write, _part_path(folder, index))
    PrintRun.objects.filter(pk=print_run_id, status=PrintRun.Status.RENDERING).update(
        items_rendered=Least(F("items_rendered") + count, print_run.items_in_pdf)
    )
    return count


def print_run_render_join(*, print_run_id: int, attempt: str, parts: int) -> PrintRun:
    """Join the attempt's parts into the run's PDF, attach it and tidy the work folders."""
    folder = _attempt_folder(print_run_id, attempt)
    print_run = _print_run_for_render(print_run_id)
    if print_run.status != PrintRun.Status.RENDERING:
        shutil.rmtree(folder, ignore_errors=True)
        return print_run
    path = os.path.join(folder, "run.pdf")
    with _abandoned_on_failure(print_run_id=print_run_id, attempt=attempt):
        part_paths = [_part_path(folder, index) for index in range(parts)]
        missing = [p for p in part_paths if not os.path.exists(p)]
        if missing:
            raise rendering.PrintLayoutError(f"{len(missing)} of {parts} parts were not stamped.")
        layout = stamping.StaticLayout.load(*_layout_paths(folder))
        page_count = 0

        def join(partial: str) -> None:
            nonlocal page_count
            page_count = stamping.join_parts(layout, part_paths, partial)

        stamping.replace_when_complete(join, path)
        print_run = _attach_pdf(print_run, path, page_count)
    # Ready: this attempt's folder and any left by attempts that were killed go.
    shutil.rmtree(_run_folder(print_run_id), ignore_errors=True)
    return print_run


@contextmanager
def _abandoned_on_failure(*, print_run_id: int, attempt: str):
    """Any step of a render that fails abandons the attempt (and raises on)."""
    try:
        yield
    except Exception as error:
        print_run_render_abandon(print_run_id=print_run_id, attempt=attempt, error=error)
        raise


def print_run_render_abandon(*, print_run_id: int, attempt: str, error: Exception) -> None:
    """A part of the render failed: the run is failed and nothing it wrote is kept."""
    _render_failed(print_run_id, error)
    shutil.rmtree(_attempt_folder(print_run_id, attempt), ignore_errors=True)


def print_run_retry(*, print_run: PrintRun) -> bool:
    """Queue a failed run again. The status moves from failed to pending in one update,
    so two clicks (or two officers) queue one render, not two. Returns whether it did."""
    queued = PrintRun.objects.filter(pk=print_run.pk, status=PrintRun.Status.FAILED).update(
        status=PrintRun.Status.PENDING
    )
    if queued:
        transaction.on_commit(lambda: _queue_render(print_run.pk))
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
    person listing their signs. Returns how many emails went."""
    today = today or timezone.localdate()
    by_person: dict = {}
    with transaction.atomic():
        due = (
            signs_overdue(today)
            .exclude(reminded_on=today)
            .select_for_update(skip_locked=True, of=("self",))
        )
        for sign in due:
            person = sign.put_up_by or sign.print_run.created_by
            if person is not None and person.email:
                by_person.setdefault(person, []).append(sign)
        Sign.objects.filter(pk__in=[s.pk for signs in by_person.values() for s in signs]).update(
            reminded_on=today
        )
    overdue_url = absolute_url(reverse("printing_signs:index") + "?show=overdue")
    for person, signs in by_person.items():
        email_send(
            to=[person.email],
            subject=f"{len(signs)} sign{'s' if len(signs) != 1 else ''} overdue to come down",
            text_template="email/printing/signs_overdue.txt",
            context={"person": person, "signs": signs, "signs_url": overdue_url},
        )
    return len(by_person)
