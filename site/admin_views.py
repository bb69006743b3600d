"""The development mailbox in the admin: every email Signpost wrote to var/mail/, newest
first, each shown as its recipient gets it. Superusers only, and only while email goes to
files: the files hold residents' addresses and working unsubscribe links."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse

from . import dev_mail


def _require_mailbox(request):
    from .wagtail_hooks import mailbox_in_use

    if not (mailbox_in_use() and request.user.is_superuser):
        raise PermissionDenied


def outgoing_mail(request):
    _require_mailbox(request)
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
    _require_mailbox(request)
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
