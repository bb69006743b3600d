"""Public short links: ``/q/<code>`` is what every printed QR code holds. And the admin's
screens: print a run (with preview), follow its progress, download it, log a sign, and
the print run and sign listings the viewsets in ``wagtail_hooks`` serve."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import date as format_date
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe
from signpost.admin_permissions import require_permission
from signpost.public_forms import rate_limited
from signpost.viewsets import ListingIndexView
from wagtail.admin.auth import permission_denied
from wagtail.admin.ui.tables import Column, TitleColumn

from . import rendering, selectors, services
from .forms import PrintRunForm, SignLogForm
from .models import FORMATS, Kind, PrintRun, Sign

# One device scanning the same code again within this time counts once.
REPEAT_SCAN_SECONDS = 600
# Items shown in a print run's HTML preview.
PREVIEW_ITEMS = 2


@never_cache
@require_safe
def short_link(request, code: str):
    link = selectors.short_link_for_code(code)
    if link is None:
        return TemplateResponse(request, "printing/short_link_unknown.html", status=404)
    if request.method == "GET" and not rate_limited(
        request, scope=f"qr-scan:{link.code}", limit=1, period_seconds=REPEAT_SCAN_SECONDS
    ):
        services.short_link_count_scan(link=link)
    return HttpResponseRedirect(selectors.short_link_target(link, request.GET.get("c", "")))


def _require_open(request, print_run: PrintRun):
    require_permission(request, lambda user: selectors.user_may_open_print_run(user, print_run))


def print_run_create(request):
    if not request.user.has_perm("printing.add_printrun"):
        return permission_denied(request)
    preview_html = ""
    if request.method == "POST":
        form = PrintRunForm(request.POST, user=request.user)
        if form.is_valid():
            if "preview" in request.POST:
                preview_html = _form_preview(form)
            else:
                print_run = form.save()
                if print_run is not None:
                    messages.success(request, f"Print run recorded: {print_run}.")
                    return redirect("printing_admin:run", print_run.pk)
    else:
        form = PrintRunForm(user=request.user, initial=request.GET.dict() or None)
    return TemplateResponse(
        request,
        "printing/admin/print_run_create.html",
        {"form": form, "preview_html": preview_html},
    )


def _form_preview(form) -> str:
    """The HTML preview of what this form would print, or "" with a form error. Its type
    scale is decided by the run's own layout (``services.print_run_fit``)."""
    data = form.cleaned_data
    spec = FORMATS[data["format"]]
    layout = services.print_layout_kwargs(
        template=data.get("template"),
        newsletter=data.get("newsletter"),
        operation=data["operation"],
        area=data["area"],
        qr_target=data.get("qr_target"),
        survey_wave=data.get("survey_wave"),
        output=data["output"],
        language=data["language"],
        target_page=data.get("target_page"),
    )
    try:
        scale = services.print_run_fit(spec=spec, per_household=data["per_household"], **layout)
    except ValidationError as error:
        form.add_error(None, ValidationError(error.messages))
        return ""
    sample = rendering.sample_item(per_household=data["per_household"], sign=spec.kind == Kind.SIGN)
    return rendering.render_print_html(
        spec=spec, items=[sample], font_scale=scale, preview=True, **layout
    )


def print_run_detail(request, pk: int):
    require_permission(request, "printing.view_printrun")
    print_run = get_object_or_404(
        PrintRun.objects.for_listing().select_related("survey_wave", "target_page"), pk=pk
    )
    return TemplateResponse(
        request,
        "printing/admin/print_run_detail.html",
        {
            "run": print_run,
            "scans": selectors.print_run_scans(print_run),
            "run_link": print_run.short_links.filter(sign__isnull=True).first(),
            "signs": print_run.signs.select_related("short_link"),
            "codes": selectors.print_run_codes(print_run) if print_run.per_household else None,
            "can_open": selectors.user_may_open_print_run(request.user, print_run),
            "can_retry": print_run.status == PrintRun.Status.FAILED
            or services.print_run_is_stuck(print_run),
        },
    )


def print_run_status(request, pk: int):
    require_permission(request, "printing.view_printrun")
    print_run = get_object_or_404(PrintRun, pk=pk)
    return JsonResponse(
        {
            "status": print_run.status,
            "status_label": print_run.get_status_display(),
            "items_rendered": print_run.items_rendered,
            "items_total": print_run.items_in_pdf,
            "percent": print_run.progress_percent,
            "download_url": (
                reverse("printing_admin:download", args=[print_run.pk])
                if print_run.status == PrintRun.Status.READY
                and selectors.user_may_open_print_run(request.user, print_run)
                else None
            ),
            "error": print_run.error,
        }
    )


def print_run_download(request, pk: int):
    require_permission(request, "printing.view_printrun")
    print_run = get_object_or_404(PrintRun.objects.for_listing(), pk=pk)
    _require_open(request, print_run)
    if print_run.status != PrintRun.Status.READY or not print_run.pdf:
        raise Http404("This print run is not ready yet.")
    return FileResponse(
        print_run.pdf.open("rb"),
        as_attachment=True,
        filename=print_run.download_filename(),
        content_type="application/pdf",
    )


def print_run_accessible(request, pk: int):
    """One copy as a tagged PDF for screens (PDF/UA-1), with no household's code."""
    require_permission(request, "printing.view_printrun")
    print_run = get_object_or_404(PrintRun.objects.for_listing(), pk=pk)
    return HttpResponse(
        services.print_run_accessible_pdf(print_run),
        content_type="application/pdf",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{print_run.download_filename()[:-4]}-accessible.pdf"'
            )
        },
    )


def print_run_preview(request, pk: int):
    """The run's first items as HTML, laid out as the PDF pages are."""
    require_permission(request, "printing.view_printrun")
    print_run = get_object_or_404(PrintRun.objects.for_listing(), pk=pk)
    _require_open(request, print_run)
    items = []
    for item in services.print_items(print_run):
        items.append(item)
        if len(items) >= PREVIEW_ITEMS:
            break
    html = rendering.render_print_html(
        spec=print_run.spec,
        items=items,
        font_scale=print_run.font_scale,
        preview=True,
        **services.print_run_context_kwargs(print_run),
    )
    return HttpResponse(html)


@require_POST
def print_run_retry(request, pk: int):
    require_permission(request, "printing.add_printrun")
    print_run = get_object_or_404(PrintRun, pk=pk)
    services.print_run_retry(print_run=print_run)
    return redirect("printing_admin:run", pk)


def sign_log(request, pk: int):
    if not request.user.has_perm("printing.change_sign"):
        return permission_denied(request)
    sign = get_object_or_404(
        Sign.objects.select_related("print_run__operation", "print_run__area"), pk=pk
    )
    if request.method == "POST":
        form = SignLogForm(request.POST)
        if form.is_valid():
            try:
                services.sign_log(sign=sign, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, f"{sign} logged: {sign.status.lower()}.")
                return redirect("printing_signs:index")
    else:
        form = SignLogForm(
            initial={
                "location": sign.location,
                "put_up_at": sign.put_up_at,
                "due_down_on": sign.due_down_on,
                "taken_down_at": sign.taken_down_at,
            }
        )
    return TemplateResponse(request, "printing/admin/sign_log.html", {"sign": sign, "form": form})


def _when(value, format: str = "j M Y H:i") -> str:
    return format_date(timezone.localtime(value), format) if value else "—"


class PrintRunIndexView(ListingIndexView):
    """Every print run, newest first, found again by where, when and what was printed."""

    page_title = "Print runs"
    add_item_label = "Print leaflets or signs"
    results_template_name = "printing/admin/print_run_index_results.html"
    list_display = [
        TitleColumn(
            "created_at",
            label="When",
            accessor=lambda run: _when(run.created_at),
            get_url=lambda run: reverse("printing_admin:run", args=[run.pk]),
            sort_key="created_at",
        ),
        Column("operation", label="Operation"),
        Column("area", label="Area"),
        Column(
            "format",
            label="Format",
            accessor=lambda run: (
                run.get_format_display() + (" (household codes)" if run.per_household else "")
            ),
        ),
        Column("language", label="Language", accessor="get_language_display"),
        Column("quantity", label="Quantity"),
        Column("status", label="Status", accessor="get_status_display"),
        Column(
            "created_by",
            label="By",
            accessor=lambda run: (run.created_by and run.created_by.get_full_name()) or "—",
        ),
    ]

    def get_base_queryset(self):
        return PrintRun.objects.for_listing()


class SignIndexView(ListingIndexView):
    """Removable signs, by default those not taken down (newest print run first); each
    opens the form that logs it."""

    page_title = "Removable signs"
    results_template_name = "printing/admin/sign_index_results.html"
    list_display = [
        TitleColumn(
            "number",
            label="Sign",
            accessor=lambda sign: f"Sign {sign.number} of {sign.print_run.quantity}",
            get_url=lambda sign: reverse("printing_admin:sign", args=[sign.pk]),
        ),
        Column(
            "print_run",
            label="Operation and area",
            accessor=lambda sign: f"{sign.print_run.operation} — {sign.print_run.area}",
        ),
        Column("location", label="Where", accessor=lambda sign: sign.location or "—"),
        Column("put_up_at", label="Up since", accessor=lambda sign: _when(sign.put_up_at)),
        Column(
            "due_down_on",
            label="Due down",
            accessor=lambda sign: format_date(sign.due_down_on, "j M Y") or "—",
        ),
        Column(
            "status",
            label="Status",
            accessor=lambda sign: (
                format_html("<strong>{}</strong>", "Overdue") if sign.is_overdue() else sign.status
            ),
        ),
    ]

    def get_base_queryset(self):
        return Sign.objects.select_related(
            "print_run__operation", "print_run__area", "short_link"
        ).order_by("-print_run__created_at", "number")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chosen = self.filters.form.cleaned_data.get("show") if self.filters.is_valid() else ""
        context["show"] = chosen or self.filters.CURRENT
        return context
