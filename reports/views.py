"""Admin screens: the communications dashboard, and progress reports (list, draft,
commentary, issue, PDF). Permissions: everyone with ``view_progressreport`` reads issued
reports; only editors see drafts, change them and issue them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST
from signpost.admin_permissions import require_permission
from signpost.pdf import accessible_pdf

from . import selectors, services
from .forms import ReportForm
from .models import ProgressReport
from .periods import Period

DASHBOARD_PERIODS = {30: "Last 30 days", 90: "Last 90 days", 365: "Last 12 months"}


def _visible_report(request, pk: int) -> ProgressReport:
    require_permission(request, "reports.view_progressreport")
    return get_object_or_404(ProgressReport.objects.visible_to(request.user), pk=pk)


def dashboard(request):
    require_permission(request, "reports.view_dashboard")
    today = timezone.localdate()
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in DASHBOARD_PERIODS else 30
    context = selectors.dashboard_figures(
        today=today,
        period=Period.last_days(days, today),
        with_names=request.user.has_perm("engagement.view_stakeholder"),
        with_enquiries=request.user.has_perm("engagement.view_mediaenquiry"),
    )
    context.update(days=days, periods=DASHBOARD_PERIODS)
    return TemplateResponse(request, "reports/admin/dashboard.html", context)


def report_index(request):
    require_permission(request, "reports.view_progressreport")
    reports = ProgressReport.objects.visible_to(request.user).select_related("issued_by")
    return TemplateResponse(
        request,
        "reports/admin/report_index.html",
        {
            "issued": [r for r in reports if r.is_issued],
            "drafts": [r for r in reports if not r.is_issued],
            "can_add": request.user.has_perm("reports.add_progressreport"),
        },
    )


def report_create(request):
    require_permission(request, "reports.add_progressreport")
    form = ReportForm(request.POST or None, initial={"preset": "last_month"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_create(
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                commentary=data["commentary"],
                user=request.user,
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, f"Draft '{report}' created. Add your commentary, then issue it."
            )
            return redirect("reports_admin:report", report.pk)
    return TemplateResponse(
        request, "reports/admin/report_form.html", {"form": form, "report": None}
    )


def _form_errors(form, error: ValidationError):
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def report_edit(request, pk: int):
    require_permission(request, "reports.change_progressreport")
    report = get_object_or_404(ProgressReport, pk=pk)
    if report.is_issued:
        messages.error(request, "This report has been issued and can no longer be changed.")
        return redirect("reports_admin:report", report.pk)
    initial = {
        "title": report.title,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "commentary": report.commentary,
    }
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report_update(
                report=report,
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                commentary=data["commentary"],
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Draft saved.")
            return redirect("reports_admin:report", report.pk)
    return TemplateResponse(
        request, "reports/admin/report_form.html", {"form": form, "report": report}
    )


def report_detail(request, pk: int):
    report = _visible_report(request, pk)
    return TemplateResponse(
        request,
        "reports/admin/report_detail.html",
        {
            "report": report,
            "figures": services.report_context(report),
            "can_edit": not report.is_issued
            and request.user.has_perm("reports.change_progressreport"),
            "can_issue": not report.is_issued
            and request.user.has_perm("reports.issue_progressreport"),
        },
    )


def report_pdf(request, pk: int):
    """The issued report's stored PDF; for a draft, a preview rendered now."""
    report = _visible_report(request, pk)
    if report.is_issued:
        return FileResponse(
            report.pdf.open("rb"),
            content_type="application/pdf",
            as_attachment=False,
            filename=report.pdf_filename(),
        )
    document = services.report_render(report=report, figures=services.report_context(report))
    response = HttpResponse(accessible_pdf(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="draft-{report.pdf_filename()}"'
    return response


def report_issue(request, pk: int):
    """Issuing cannot be undone: a GET shows what will happen and to whom; only the POST
    from that page issues."""
    require_permission(request, "reports.issue_progressreport")
    report = get_object_or_404(ProgressReport, pk=pk)
    if report.is_issued:
        messages.error(request, "This report has already been issued.")
        return redirect("reports_admin:report", report.pk)
    if request.method != "POST":
        return TemplateResponse(
            request,
            "reports/admin/report_issue_confirm.html",
            {
                "report": report,
                "readers": selectors.report_readers(),
                "missing_commentary": not report.commentary.strip(),
            },
        )
    try:
        services.report_issue(report=report, user=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"'{report}' issued. Its figures and PDF are now kept unchanged.")
    return redirect("reports_admin:report", report.pk)


@require_POST
def report_delete(request, pk: int):
    require_permission(request, "reports.delete_progressreport")
    report = get_object_or_404(ProgressReport, pk=pk)
    if report.is_issued:
        raise Http404("Issued reports are kept.")
    services.report_delete(report=report)
    messages.success(request, f"Draft '{report}' deleted.")
    return redirect("reports_admin:index")
