"""Public short links: ``/q/<code>`` is what every printed QR code holds."""

from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from signpost.public_forms import rate_limited

from . import selectors, services

# One device scanning the same code again within this time counts once.
REPEAT_SCAN_SECONDS = 600


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
