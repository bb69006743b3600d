"""The project package's own pages: site search, the staff sign-in, robots.txt, and in the
admin the development mailbox (every email Signpost wrote to var/mail/, newest first, each
shown as its recipient gets it)."""

from django.contrib.auth import views as auth_views
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import dev_mail
from .admin_permissions import require_permission
from .caching import public_cache
from .public_forms import rate_limited
from .search import search_grouped

SEARCH_QUERY_MAX_LENGTH = 200
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
