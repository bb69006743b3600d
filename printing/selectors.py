"""Reads for the printing app: short-link look-ups, overdue signs, scan counts, and the
printing figures of progress reports."""

import datetime

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from signpost.figures import day_bounds

from surveys.models import ResponseCode

from .models import FORMATS, SHORT_CODE_ALPHABET, Kind, PrintRun, ShortLink, Sign


def normalise_code(code: str) -> str:
    """Codes typed by hand, in any case."""
    return code.strip().upper()


def short_link_for_code(code: str) -> ShortLink | None:
    code = normalise_code(code)
    if not code or any(ch not in SHORT_CODE_ALPHABET for ch in code):
        return None
    return (
        ShortLink.objects.select_related(
            "print_run", "print_run__target_page", "print_run__survey_wave", "print_run__area"
        )
        .filter(code=code)
        .first()
    )


def short_link_target(link: ShortLink, household_code: str = "") -> str:
    """The run's target; a household code from the QR code is passed on to the survey,
    which alone decides whether it is valid."""
    code = "".join(ch for ch in household_code.upper() if ch.isalnum())[:16]
    return link.print_run.target_url(household_code=code)


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


def print_run_codes(print_run: PrintRun) -> dict:
    """How many household codes the run carries and how many residents have used."""
    return ResponseCode.objects.filter(print_run_id=print_run.pk, active=True).aggregate(
        issued=Count("pk"), used=Count("pk", filter=Q(used=True))
    )


def user_may_open_print_run(user, print_run: PrintRun) -> bool:
    """Whether the user may download or preview the run's pages. Household leaflets carry
    unused single-use survey codes that the survey accepts, so only the staff who print
    runs or issue codes may open them; other runs are open to anyone who may list them."""
    if not user.has_perm("printing.view_printrun"):
        return False
    if not print_run.per_household:
        return True
    return user.has_perm("printing.add_printrun") or user.has_perm("surveys.add_responsecode")


# --- Figures for progress reports and the dashboard -------------------------------------


def _leaflet_formats() -> list[str]:
    return [code for code, spec in FORMATS.items() if spec.kind == Kind.LEAFLET]


def _sign_formats() -> list[str]:
    return [code for code, spec in FORMATS.items() if spec.kind == Kind.SIGN]


def printing_section(*, start: datetime.date, end: datetime.date, today: datetime.date) -> dict:
    """Print runs, leaflets, signs and QR scans per area for runs printed from ``start``
    to ``end`` (inclusive), and signs overdue to come down ``today``. Three queries."""
    start_at, end_before = day_bounds(start, end)
    in_period = Q(created_at__gte=start_at, created_at__lt=end_before)
    runs = (
        PrintRun.objects.filter(in_period)
        .order_by()
        .values("area_id", "area__name")
        .annotate(
            runs=Count("pk"),
            leaflets=Coalesce(Sum("quantity", filter=Q(format__in=_leaflet_formats())), Value(0)),
            signs=Coalesce(Sum("quantity", filter=Q(format__in=_sign_formats())), Value(0)),
        )
        .order_by("area__name")
    )
    scans = dict(
        ShortLink.objects.filter(
            print_run__created_at__gte=start_at, print_run__created_at__lt=end_before
        )
        .order_by()
        .values("print_run__area_id")
        .annotate(scans=Coalesce(Sum("scan_count"), Value(0)))
        .values_list("print_run__area_id", "scans")
    )
    areas = [
        {
            "area": row["area__name"],
            "runs": row["runs"],
            "leaflets": row["leaflets"],
            "signs": row["signs"],
            "scans": scans.get(row["area_id"], 0),
        }
        for row in runs
    ]
    signs = Sign.objects.aggregate(
        up=Count("pk", filter=Q(put_up_at__isnull=False, taken_down_at__isnull=True)),
        overdue=Count(
            "pk",
            filter=Q(put_up_at__isnull=False, taken_down_at__isnull=True, due_down_on__lt=today),
        ),
    )
    return {
        "areas": areas,
        "runs": sum(a["runs"] for a in areas),
        "leaflets": sum(a["leaflets"] for a in areas),
        "signs": sum(a["signs"] for a in areas),
        "scans": sum(a["scans"] for a in areas),
        "signs_up": signs["up"],
        "signs_overdue": signs["overdue"],
    }
