"""Public addresses that campaign emails link to: the QR code images, the newsletter as
its campaign was approved, and where a test email's links lead."""

from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from signpost.qr import qr_png

from .email import approved_version_ids, qr_code_target
from .selectors import campaign_approved_page

SAMPLE_LINKS = {"unsubscribe", "preferences"}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sample_link(request, link):
    """Where the links of a test email and of the editor's email preview lead: they carry
    no resident's token, so they explain what the real link does and change nothing (a
    mail program's one-click POST on a test email gets the same answer)."""
    if link not in SAMPLE_LINKS:
        raise Http404
    if request.method == "POST":
        return HttpResponse("A test email: nothing was changed.", content_type="text/plain")
    return render(request, "newsletters/sample_link.html", {"link": link})


def qr_code(request, token):
    try:
        target = qr_code_target(token)
    except signing.BadSignature:
        return HttpResponseBadRequest("Not a QR code address.")
    response = HttpResponse(qr_png(target), content_type="image/png")
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def approved_version(request, token):
    """ "Read this on the website" from a campaign email: the version that was sent."""
    try:
        campaign_id, revision_id = approved_version_ids(token)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise Http404 from error
    page = campaign_approved_page(campaign_id=campaign_id, revision_id=revision_id)
    if page is None:
        raise Http404
    response = page.serve(request)
    response.context_data["emailed_version"] = True
    # The live page is the one to index; this address only repeats an email.
    response["X-Robots-Tag"] = "noindex"
    return response
