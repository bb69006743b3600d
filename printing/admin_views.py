"""Admin screens: print a run (with preview), follow its progress, download it, log signs."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from wagtail.admin.auth import permission_denied

from . import rendering, selectors, services
from .filters import PrintRunFilterSet
from .forms import PrintRunForm, SignLogForm
from .models import FORMATS, PrintRun, Sign

PREVIEW_ITEMS = 2


def _require(request, perm: str):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _require_open(request, print_run: PrintRun):
    if not selectors.user_may_open_print_run(request.user, print_run):
        raise PermissionDenied


def print_run_index(request):
    _require(request, "printing.view_printrun")
    filters = PrintRunFilterSet(request.GET or None, queryset=PrintRun.objects.for_listing())
    paginator = Paginator(filters.qs, 25)
    page = paginator.get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "printing/admin/print_run_index.html",
        {
            "page_obj": page,
            "filters": filters,
            "filtered": filters.is_bound and any(filters.form.cleaned_data.values()),
            "can_add": request.user.has_perm("printing.add_printrun"),
        },
    )


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
    """The HTML preview of what this form would print, or "" with a form error."""
    data = form.cleaned_data
    spec = FORMATS[data["format"]]
    sample = rendering.sample_item(per_household=data["per_household"])
    context = {
        "template": data.get("template"),
        "newsletter": data.get("newsletter"),
        "operation": data["operation"],
        "area": data["area"],
        "initiative": rendering.branding(),
    }
    try:
        scale = rendering.fit_font_scale(spec=spec, sample=sample, **context)
    except rendering.PrintLayoutError as error:
        form.add_error(None, ValidationError(str(error)))
        return ""
    return rendering.render_print_html(
        spec=spec, items=[sample], font_scale=scale, preview=True, **context
    )


def print_run_detail(request, pk: int):
    _require(request, "printing.view_printrun")
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
        },
    )


def print_run_status(request, pk: int):
    _require(request, "printing.view_printrun")
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
    _require(request, "printing.view_printrun")
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


def print_run_preview(request, pk: int):
    """The run's first items as HTML, laid out as the PDF pages are."""
    _require(request, "printing.view_printrun")
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
    _require(request, "printing.add_printrun")
    print_run = get_object_or_404(PrintRun, pk=pk)
    services.print_run_retry(print_run=print_run)
    return redirect("printing_admin:run", pk)


def sign_index(request):
    _require(request, "printing.view_sign")
    show = request.GET.get("show", "up")
    signs = Sign.objects.select_related("print_run__operation", "print_run__area", "short_link")
    if show == "overdue":
        signs = selectors.signs_overdue()
    elif show == "up":
        signs = signs.filter(put_up_at__isnull=False, taken_down_at__isnull=True)
    elif show == "not_up":
        signs = signs.filter(put_up_at__isnull=True)
    signs = signs.order_by("-print_run__created_at", "number")
    paginator = Paginator(signs, 50)
    return TemplateResponse(
        request,
        "printing/admin/sign_index.html",
        {"page_obj": paginator.get_page(request.GET.get("p")), "show": show},
    )


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
                return redirect("printing_admin:signs")
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
