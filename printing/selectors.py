"""Reads for the printing app: short-link look-ups, overdue signs, scan counts."""

import datetime

from django.db.models import Sum
from django.utils import timezone

from .models import SHORT_CODE_ALPHABET, PrintRun, ShortLink, Sign


def normalise_code(code: str) -> str:
    """Codes typed by hand, in any case."""
    return code.strip().upper()


def short_link_for_code(code: str) -> ShortLink | None:
    code = normalise_code(code)
    if not code or any(ch not in SHORT_CODE_ALPHABET for ch in code):
        return None
    return (
        ShortLink.objects.select_related("print_run", "print_run__target_page")
        .filter(code=code)
        .first()
    )


def short_link_target(link: ShortLink, household_code: str = "") -> str:
    return link.print_run.target_url()


def signs_overdue(today: datetime.date | None = None):
    today = today or timezone.localdate()
    return (
        Sign.objects.filter(
            put_up_at__isnull=False, taken_down_at__isnull=True, due_down_on__lt=today
        )
        .select_related("print_run__operation", "print_run__area", "put_up_by")
        .order_by("due_down_on", "print_run_id", "number")
    )


def print_run_scans(print_run: PrintRun) -> int:
    return print_run.short_links.aggregate(total=Sum("scan_count"))["total"] or 0
