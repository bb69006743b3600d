"""Residents' pages: sign up, confirm, change preferences and leave."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from signpost.public_forms import rate_limited

from . import selectors, services, tokens
from .forms import PreferencesForm, SignUpForm
from .models import ConsentRecord, Subscriber

SIGN_UP_LIMIT = 10  # attempts per client per hour


def _link_problem(request, error: tokens.LinkInvalid):
    return render(
        request,
        "newsletters/link_problem.html",
        {"message": str(error), "expired": isinstance(error, tokens.LinkExpired)},
        status=400,
    )


@require_http_methods(["GET", "POST"])
def subscribe(request):
    form = SignUpForm(request.POST or None, area_slug=request.GET.get("area", ""))
    if request.method == "POST":
        if rate_limited(
            request, scope="newsletter-signup", limit=SIGN_UP_LIMIT, period_seconds=3600
        ):
            return render(
                request,
                "newsletters/subscribe.html",
                {"form": form, "rate_limited": True},
                status=429,
            )
        if form.is_bot():
            return redirect("newsletters:check_email")
        if form.is_valid():
            data = form.cleaned_data
            services.subscriber_sign_up_queue(
                email=data["email"],
                name=data["name"],
                postcode=data.get("postcode", ""),
                topic_ids=[topic.pk for topic in data["topics"]],
                area_id=data["area"].pk if data["area"] else None,
                wording_version=data["wording_version"],
                # The language the form was read in: the emails that follow are in it.
                language=request.LANGUAGE_CODE,
            )
            return redirect("newsletters:check_email")
    return render(request, "newsletters/subscribe.html", {"form": form})


def check_email(request):
    return render(request, "newsletters/check_email.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button; POST confirms. Mail scanners that fetch links do not confirm.
    A link opened again once confirmed says so, with nothing to press."""
    try:
        subscriber = selectors.subscriber_confirmed_by_link(token)
        already_confirmed = subscriber is not None
        if request.method == "POST" and not already_confirmed:
            subscriber = services.subscriber_confirm(token=token)
        if subscriber is not None:
            return render(
                request,
                "newsletters/confirmed.html",
                {
                    "preferences_token": tokens.manage_token(subscriber),
                    "subscriber": subscriber,
                    "already_confirmed": already_confirmed,
                },
            )
    except tokens.LinkInvalid as error:
        return _link_problem(request, error)
    return render(request, "newsletters/confirm.html", {"token": token})


def _subscriber_for(token):
    key, campaign_id = tokens.manage_token_parts(token)
    subscriber = Subscriber.objects.filter(key=key).first()
    if subscriber is None:
        raise tokens.SubscriptionGone(
            _("We no longer hold this subscription: there is nothing to change.")
        )
    return subscriber, campaign_id


@never_cache
@require_http_methods(["GET", "POST"])
def preferences(request, token):
    try:
        subscriber, _ = _subscriber_for(token)
    except tokens.LinkInvalid as error:
        return _link_problem(request, error)
    initial = {
        "name": subscriber.name,
        "postcode": subscriber.postcode,
        "topics": subscriber.topics.all(),
        "language": subscriber.language,
    }
    form = PreferencesForm(
        request.POST or None,
        initial=initial,
        area=subscriber.area if subscriber.area_id and not subscriber.postcode else None,
    )
    saved = False
    if request.method == "POST" and form.is_valid():
        services.subscriber_update_preferences(
            subscriber=subscriber,
            name=form.cleaned_data["name"],
            postcode=form.cleaned_data["postcode"],
            topics=form.cleaned_data["topics"],
            language=form.cleaned_data["language"],
        )
        saved = True
    return render(
        request,
        "newsletters/preferences.html",
        {"form": form, "subscriber": subscriber, "token": token, "saved": saved},
    )


@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """RFC 8058 one-click unsubscribe: mail programs POST ``List-Unsubscribe=One-Click``
    with no cookie or CSRF token, so this one view is CSRF-exempt; the signed token in the
    address is the proof. A person following the link gets a page with one button."""
    try:
        subscriber, campaign_id = _subscriber_for(token)
    except tokens.SubscriptionGone:
        # Erased or purged: there is nobody left to mail, which is what was asked for.
        return render(request, "newsletters/unsubscribed.html", {"changed": False})
    except tokens.LinkInvalid as error:
        return _link_problem(request, error)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        changed = services.subscriber_unsubscribe(
            subscriber=subscriber,
            method=ConsentRecord.Method.ONE_CLICK if one_click else ConsentRecord.Method.EMAIL_LINK,
            campaign_id=campaign_id,
        )
        if one_click:
            return HttpResponse("Unsubscribed.", content_type="text/plain")
        return render(
            request,
            "newsletters/unsubscribed.html",
            {"changed": changed, "token": token},
        )
    if subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        # Left already (one click in the mail program, say): say so, not "press the button".
        return render(request, "newsletters/unsubscribed.html", {"changed": False})
    return render(
        request, "newsletters/unsubscribe.html", {"subscriber": subscriber, "token": token}
    )
