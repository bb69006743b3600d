"""The project package's own pages: site search, the staff sign-in, robots.txt, and in the
admin the development mailbox (every email Signpost wrote to var/mail/, newest first, each
shown as its recipient gets it) and the background jobs, with a retry for stuck ones."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from . import dev_mail, jobs, service_status
from .admin_permissions import require_permission
from .caching import public_cache
from .models import Job
from .public_forms import rate_limited
from .search import search_grouped

SEARCH_QUERY_MAX_LENGTH = 200
LOGIN_ATTEMPTS_PER_HOUR = 20
JOBS_SHOWN = 200


@require_GET
@public_cache
def search(request):
    """Site search over live, public pages, with the results grouped by kind."""
    query = request.GET.get("query", "").strip()[:SEARCH_QUERY_MAX_LENGTH]
    results = search_grouped(query) if query else None
    return TemplateResponse(
        request, "signpost/search.html", {"search_query": query, "results": results}
    )


class StaffLoginView(auth_views.LoginView):
    """Where staff-only pages (the communication plan and anything private) send a
    visitor: the site's own layout, usable on a phone, with a per-address limit on
    attempts so passwords cannot be guessed at speed."""

    template_name = "signpost/login.html"
    redirect_authenticated_user = False

    def get_default_redirect_url(self):
        """Signed in with nowhere asked for: the admin's dashboard."""
        return reverse("wagtailadmin_home")

    def post(self, request, *args, **kwargs):
        if rate_limited(
            request, scope="staff-login", limit=LOGIN_ATTEMPTS_PER_HOUR, period_seconds=3600
        ):
            form = self.get_form()
            context = self.get_context_data(form=form, rate_limited=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


@require_GET
@cache_control(max_age=86_400, public=True)
def robots_txt(request):
    return TemplateResponse(request, "robots.txt", content_type="text/plain")


def outgoing_mail(request):
    require_permission(request, dev_mail.may_read_mailbox)
    return TemplateResponse(
        request,
        "signpost/admin/outgoing_mail.html",
        {
            "header_title": "Outgoing mail",
            "page_title": "Outgoing mail",
            "header_icon": "mail",
            "messages_on_disk": dev_mail.outbox(),
            "folder": dev_mail.mail_dir(),
        },
    )


def outgoing_mail_message(request, name):
    require_permission(request, dev_mail.may_read_mailbox)
    message = dev_mail.read_mail(name)
    if message is None:
        raise Http404
    if request.GET.get("format") == "raw":
        return HttpResponse(message.as_bytes(), content_type="text/plain; charset=utf-8")
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    return TemplateResponse(
        request,
        "signpost/admin/outgoing_mail_message.html",
        {
            "header_title": message["Subject"] or "(no subject)",
            "page_title": message["Subject"] or "(no subject)",
            "header_icon": "mail",
            "name": name,
            "headers": [(key, str(value)) for key, value in message.items()],
            "text": text.get_content() if text else "",
            "html": html.get_content() if html else "",
        },
    )


def jobs_index(request):
    """Background work that is waiting, running, stalled or failed, for staff to see
    and retry (``signpost.jobs``)."""
    require_permission(request, "signpost.change_job")
    waiting = list(
        Job.objects.filter(
            state__in=[Job.State.QUEUED, Job.State.RUNNING, Job.State.FAILED]
        ).order_by("-queued_at")[:JOBS_SHOWN]
    )
    for job in waiting:
        job.stalled = jobs.job_is_stalled(job)
        job.may_retry = job.state == Job.State.FAILED or job.stalled
    return TemplateResponse(
        request,
        "signpost/admin/jobs.html",
        {
            "header_title": "Background jobs",
            "page_title": "Background jobs",
            "header_icon": "cogs",
            "jobs": waiting,
            "services_down": service_status.services_down(),
        },
    )


@require_POST
def job_retry(request, pk: int):
    require_permission(request, "signpost.change_job")
    job = get_object_or_404(Job, pk=pk)
    if jobs.job_retry(job=job):
        messages.success(request, f"{job} is queued again.")
    else:
        messages.info(request, f"{job} is running or done: nothing to retry.")
    return redirect("signpost_jobs")
