"""The project package's own pages: site search, the staff sign-in and its second factor,
the rate-limited password reset, robots.txt, and in the admin the locked sign-ins (for
superusers), the development mailbox (every email Signpost wrote to var/mail/, newest
first, each shown as its recipient gets it) and the background jobs, with a retry for
stuck ones."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from wagtail.admin.views import account as wagtail_account

from . import dev_mail, health, jobs, language_switch, prepared_exports, service_status, sign_in
from .admin_permissions import require_permission
from .caching import public_cache
from .exports import XLSX_CONTENT_TYPE
from .models import Job, PreparedExport
from .public_forms import rate_limited
from .qr import qr_svg
from .search import search_grouped

SEARCH_QUERY_MAX_LENGTH = 200
JOBS_SHOWN = 200
LOGIN_ATTEMPTS_PER_HOUR = 20


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

    def get_success_url(self):
        """The password is right: on to the second factor, which then goes where asked."""
        target = super().get_success_url()
        if sign_in.second_factor_required(self.request.user):
            return f"{reverse('sign_in_second_factor')}?{urlencode({'next': target})}"
        return target

    def post(self, request, *args, **kwargs):
        if rate_limited(
            request, scope="staff-login", limit=LOGIN_ATTEMPTS_PER_HOUR, period_seconds=3600
        ):
            form = self.get_form()
            context = self.get_context_data(form=form, rate_limited=True)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


def _health_rate_limited(request) -> bool:
    """Health endpoints are open to anyone, so they are limited per client; with the cache
    down the limit cannot be counted, and the answer must still come (it says so)."""
    try:
        return rate_limited(
            request,
            scope="health",
            limit=settings.SIGNPOST_HEALTH_REQUESTS_PER_MINUTE,
            period_seconds=60,
        )
    except Exception:  # noqa: BLE001 (the cache is down: /readyz reports it)
        return False


def _health_response(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def healthz(request):
    """Liveness: this process answers. It asks nothing of the database or anything else,
    so a load balancer restarts only processes that are truly stuck."""
    if _health_rate_limited(request):
        return _health_response({"status": "too many requests"}, 429)
    return _health_response({"status": "ok"}, 200)


@require_GET
def readyz(request):
    """Readiness: every service Signpost needs answers (``signpost.health``): 200 when all
    do, 503 naming those that do not. No personal data, nothing secret."""
    if _health_rate_limited(request):
        return _health_response({"status": "too many requests"}, 429)
    results = health.readiness()
    ready = all(result.ok for result in results)
    body = {
        "status": "ok" if ready else "failing",
        "failing": [result.name for result in results if not result.ok],
        "checks": {result.name: result.as_dict() for result in results},
    }
    return _health_response(body, 200 if ready else 503)


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


# --- the second factor ---------------------------------------------------------------------


def lockout_response(request, original_response=None, credentials=None):
    """What every sign-in door answers while the account or the client is locked out
    (django-axes' ``AXES_LOCKOUT_CALLABLE``): 429, and when to try again."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return TemplateResponse(
        request, "signpost/locked_out.html", {"cooloff_minutes": minutes}, status=429
    ).render()


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("wagtailadmin_home")


def _second_factor_refused(request):
    """Too many codes from this client, or the account or client locked out: the session
    ends, and the lockout page says when to try again."""
    logout(request)
    return lockout_response(request)


def _second_factor_throttled(request) -> bool:
    return rate_limited(
        request,
        scope="second-factor",
        limit=settings.SIGNPOST_SECOND_FACTOR_ATTEMPTS_PER_HOUR,
        period_seconds=3600,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor(request):
    """The second step of signing in: a code from the authenticator app, or a recovery
    code. Reached only with a password already accepted."""
    user = request.user
    if not user.is_authenticated:
        return redirect(reverse("wagtailadmin_login"))
    if sign_in.second_factor_passed(user):
        return redirect(_next_url(request))
    if sign_in.confirmed_totp_device(user) is None:
        return redirect(f"{reverse('sign_in_enrol')}?{request.GET.urlencode()}")
    wrong = False
    if request.method == "POST":
        if _second_factor_throttled(request) or sign_in.is_locked_out(request, user):
            return _second_factor_refused(request)
        if sign_in.second_factor_verify(request, token=request.POST.get("otp_token", "")):
            if sign_in.recovery_codes_left(user) <= 2:
                messages.warning(
                    request,
                    f"You have {sign_in.recovery_codes_left(user)} recovery codes left: "
                    "make a new set under Account → Recovery codes.",
                )
            return redirect(_next_url(request))
        if getattr(request, "axes_locked_out", False):
            return _second_factor_refused(request)
        wrong = True
    return TemplateResponse(
        request,
        "signpost/second_factor.html",
        {"next": _next_url(request), "wrong": wrong},
        status=200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request):
    """The first sign-in: set up an authenticator app (its secret as a QR code and as
    text), confirm it with a code, and receive recovery codes once. Never offered to an
    account that already has an app, unless it has passed its second factor."""
    user = request.user
    if not user.is_authenticated:
        return redirect(reverse("wagtailadmin_login"))
    enrolled = sign_in.confirmed_totp_device(user) is not None
    if enrolled and not sign_in.second_factor_passed(user):
        return redirect(f"{reverse('sign_in_second_factor')}?{request.GET.urlencode()}")
    device = sign_in.totp_device_for_enrolment(user)
    wrong = False
    if request.method == "POST":
        if _second_factor_throttled(request) or sign_in.is_locked_out(request, user):
            return _second_factor_refused(request)
        codes = sign_in.second_factor_enrol(
            request, device=device, token=request.POST.get("otp_token", "")
        )
        if codes is not None:
            return TemplateResponse(
                request,
                "signpost/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        if getattr(request, "axes_locked_out", False):
            return _second_factor_refused(request)
        wrong = True
    secret = device.config_url.split("secret=", 1)[1].split("&", 1)[0]
    return TemplateResponse(
        request,
        "signpost/second_factor_enrol.html",
        {
            "next": _next_url(request),
            "wrong": wrong,
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "qr": qr_svg(device.config_url),
            "replacing": enrolled,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """A signed-in user's recovery codes: how many are left, and a new set on request
    (the old set stops working)."""
    if request.method == "POST":
        return TemplateResponse(
            request,
            "signpost/recovery_codes.html",
            {
                "codes": sign_in.recovery_codes_issue(request.user),
                "next": reverse("wagtailadmin_home"),
            },
        )
    return TemplateResponse(
        request,
        "signpost/admin/recovery_codes.html",
        {
            "header_title": "Recovery codes",
            "page_title": "Recovery codes",
            "header_icon": "key",
            "left": sign_in.recovery_codes_left(request.user),
        },
    )


def _is_superuser(user) -> bool:
    return user.is_superuser


@require_http_methods(["GET", "POST"])
def locked_sign_ins(request):
    """For superusers: the accounts and client addresses locked out now, each with an
    Unlock button, and a form to reset a user's lost second factor."""
    require_permission(request, _is_superuser)
    if request.method == "POST":
        if request.POST.get("reset_second_factor"):
            user = (
                get_user_model()
                .objects.filter(username=request.POST["reset_second_factor"])
                .first()
            )
            if user is None:
                messages.error(request, "No account has that username.")
            else:
                sign_in.second_factor_reset(user=user, by=request.user)
                messages.success(request, f"{user.get_username()} will set up a new second factor.")
        else:
            kind, value = request.POST.get("kind"), request.POST.get("value", "")
            if kind in {"username", "ip_address"} and value:
                sign_in.sign_in_unlock(**{kind: value}, by=request.user)
                messages.success(request, f"Unlocked {value}.")
        return redirect("signpost_locked_sign_ins")
    return TemplateResponse(
        request,
        "signpost/admin/locked_sign_ins.html",
        {
            "header_title": "Locked sign-ins",
            "page_title": "Locked sign-ins",
            "header_icon": "lock",
            "locked": sign_in.locked_out_attempts(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
    )


class PasswordResetView(wagtail_account.PasswordResetView):
    """Wagtail's password reset, limited per client (too many requests answer 429) and
    per address asked for (further requests look the same but send nothing), so the
    form can be used neither to guess at speed nor to flood a mailbox."""

    def post(self, request, *args, **kwargs):
        if rate_limited(
            request,
            scope="password-reset-client",
            limit=settings.SIGNPOST_PASSWORD_RESETS_PER_CLIENT_HOUR,
            period_seconds=3600,
        ):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, "Too many requests from this connection. Try again later.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if rate_limited(
            self.request,
            scope="password-reset-address",
            key=form.cleaned_data["email"].strip().lower(),
            limit=settings.SIGNPOST_PASSWORD_RESETS_PER_ADDRESS_HOUR,
            period_seconds=3600,
        ):
            return redirect(self.get_success_url())
        return super().form_valid(form)


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


@require_GET
def set_language(request):
    """Keep the language a resident chose (a cookie) and go on to the page in it. A link,
    not a form, so it works on the site's cached pages; it changes nothing but the cookie."""
    next_url, code = language_switch.choose(
        request, request.GET.get("language", ""), request.GET.get("next", "/")
    )
    response = redirect(next_url)
    if code is not None:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    return response


@never_cache
def downloads(request):
    """The user's own prepared exports (``signpost.prepared_exports``), with their state and,
    once ready, a link to the file; reloads itself while any is being prepared."""
    exports = list(prepared_exports.prepared_exports_for(request.user)[:100])
    return TemplateResponse(
        request,
        "signpost/admin/downloads.html",
        {
            "header_title": "Your downloads",
            "page_title": "Your downloads",
            "header_icon": "download",
            "exports": exports,
            "refresh_seconds": prepared_exports.downloads_refresh_seconds(exports),
            "keep_days": prepared_exports.keep_days(),
        },
    )


def download(request, pk: int):
    """A prepared export's file, for the user who asked for it and no one else (not even
    a superuser: the file holds what that user's filters chose, and anyone else may ask
    for their own), while they still hold the permission it needed."""
    export = get_object_or_404(
        prepared_exports.prepared_exports_for(request.user),
        pk=pk,
        status=PreparedExport.Status.READY,
    )
    if not prepared_exports.user_may_have(request.user, export):
        raise PermissionDenied
    content_type = (
        XLSX_CONTENT_TYPE
        if export.export_format == PreparedExport.Format.XLSX
        else "text/csv; charset=utf-8"
    )
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
