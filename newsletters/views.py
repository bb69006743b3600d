"""Public pages for residents: sign up, confirm, change preferences, leave, and the QR code
image. And the admin's: a campaign's manage page (segment, test send, approval, send,
progress, figures), its progress JSON and preview, a subscriber's data export, and the
campaign and subscriber listing and editing views the viewsets in ``wagtail_hooks`` use."""

import datetime
import json

from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from signpost.admin_permissions import require_permission
from signpost.exports import NeutralisedExportMixin
from signpost.public_forms import rate_limited
from signpost.qr import qr_png
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import ListingButton, MenuItem

from . import selectors, services, tasks, tokens
from .email import RenderedEmail, qr_code_target, sample_merge_values
from .forms import PreferencesForm, ScheduleForm, SignUpForm, TestSendForm
from .models import Campaign, ConsentRecord, Subscriber

SIGN_UP_LIMIT = 10  # attempts per client per hour
SAMPLE_SIZE = 10  # subscribers shown on a campaign's manage page


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
            tasks.subscriber_sign_up.delay(
                email=data["email"],
                name=data["name"],
                postcode=data["postcode"],
                topic_ids=[topic.pk for topic in data["topics"]],
                area_id=data["area"].pk if data["area"] else None,
                wording_version=data["wording_version"],
            )
            return redirect("newsletters:check_email")
    return render(request, "newsletters/subscribe.html", {"form": form})


def check_email(request):
    return render(request, "newsletters/check_email.html")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    """GET shows a button; POST confirms. Mail scanners that fetch links do not confirm."""
    try:
        tokens.confirm_token_key(token)
        if request.method == "POST":
            subscriber = services.subscriber_confirm(token=token)
            return render(
                request,
                "newsletters/confirmed.html",
                {"preferences_token": tokens.manage_token(subscriber), "subscriber": subscriber},
            )
    except tokens.LinkInvalid as error:
        return _link_problem(request, error)
    return render(request, "newsletters/confirm.html", {"token": token})


def _subscriber_for(token):
    key, campaign_id = tokens.manage_token_parts(token)
    subscriber = Subscriber.objects.filter(key=key).first()
    if subscriber is None:
        raise tokens.SubscriptionGone(
            "We no longer hold this subscription: there is nothing to change."
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
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        services.subscriber_update_preferences(
            subscriber=subscriber,
            name=form.cleaned_data["name"],
            postcode=form.cleaned_data["postcode"],
            topics=form.cleaned_data["topics"],
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
    return render(
        request, "newsletters/unsubscribe.html", {"subscriber": subscriber, "token": token}
    )


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


def campaign_manage(request, pk):
    require_permission(request, "newsletters.view_campaign")
    campaign = get_object_or_404(
        Campaign.objects.select_related(
            "newsletter", "created_by", "approved_by", "approved_revision__user"
        ),
        pk=pk,
    )
    segment = selectors.campaign_segment(campaign)
    figures = selectors.campaign_figures(campaign)
    can_change = request.user.has_perm("newsletters.change_campaign")
    context = {
        "campaign": campaign,
        "header_title": campaign.name,
        "page_title": campaign.name,
        "header_icon": "mail",
        "segment_count": segment.count()
        if campaign.status in {"draft", "approved", "scheduled"}
        else None,
        # Residents' addresses only for those who may see subscribers, and always the same
        # ones: a random sample would hand out a new handful on every reload.
        "sample": list(segment.select_related("area").order_by("pk")[:SAMPLE_SIZE])
        if campaign.status in {"draft", "approved", "scheduled"}
        and request.user.has_perm("newsletters.view_subscriber")
        else [],
        "approved_version": selectors.campaign_approved_version(campaign),
        "figures": figures,
        "figure_cells": [(key, figures[key]) for key in selectors.FIGURES],
        "can_change": can_change,
        "can_approve": request.user.has_perm("newsletters.approve_campaign")
        and campaign.created_by_id != request.user.pk,
        "test_form": TestSendForm(initial={"addresses": request.user.email}),
        "schedule_form": ScheduleForm(
            initial={
                "send_at": (timezone.localtime() + datetime.timedelta(hours=1)).replace(
                    second=0, microsecond=0
                )
            }
        ),
        "progress_url": reverse("newsletters_campaign_progress", args=[campaign.pk]),
        "preview_url": reverse("newsletters_campaign_preview", args=[campaign.pk]),
    }
    return TemplateResponse(request, "newsletters/admin/campaign_manage.html", context)


def campaign_progress(request, pk):
    """Figures as JSON, polled by the progress bar while a campaign is sending."""
    require_permission(request, "newsletters.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return JsonResponse(selectors.campaign_figures(campaign))


def campaign_preview(request, pk):
    """The email as a recipient will see it, with sample merge values."""
    require_permission(request, "newsletters.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    if campaign.rendered_html:
        rendered = RenderedEmail(
            campaign.rendered_subject, campaign.rendered_html, campaign.rendered_text
        )
    else:
        rendered = services._render(campaign)
    if request.GET.get("format") == "text":
        return HttpResponse(
            rendered.text_for(sample_merge_values()), content_type="text/plain; charset=utf-8"
        )
    return HttpResponse(rendered.html_for(sample_merge_values()))


def _back(campaign):
    return redirect("newsletters_campaign_manage", campaign.pk)


def _run(request, campaign, action, success: str):
    try:
        action()
    except services.CampaignError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return _back(campaign)


@require_POST
def campaign_approve(request, pk):
    require_permission(request, "newsletters.approve_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return _run(
        request,
        campaign,
        lambda: services.campaign_approve(campaign=campaign, user=request.user),
        "Campaign approved. It can now be sent or scheduled.",
    )


@require_POST
def campaign_test_send(request, pk):
    require_permission(request, "newsletters.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    form = TestSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["addresses"]))
        return _back(campaign)
    count = services.campaign_send_test(
        campaign=campaign, user=request.user, addresses=form.cleaned_data["addresses"]
    )
    messages.success(request, f"Test sent to {count} address{'es' if count != 1 else ''}.")
    return _back(campaign)


def _already_sent(request, campaign) -> HttpResponse:
    when = campaign.send_started_at
    services.campaign_send_refusal_log(campaign=campaign, user=request.user, reason="already sent")
    messages.warning(
        request,
        f"This campaign was already sent"
        f"{f' (sending began {timezone.localtime(when):%d %B %Y at %H:%M})' if when else ''}. "
        "Nothing was sent again.",
    )
    return _back(campaign)


def campaign_send(request, pk):
    """Send now, after a confirmation that names how many people will receive it. Only a
    POST with ``confirmed`` sends; sending twice says so and sends nothing."""
    require_permission(request, "newsletters.change_campaign")
    campaign = get_object_or_404(Campaign.objects.select_related("newsletter"), pk=pk)
    if campaign.status in {Campaign.Status.SENDING, Campaign.Status.SENT}:
        return _already_sent(request, campaign)
    if request.method != "POST" or not request.POST.get("confirmed"):
        return TemplateResponse(
            request,
            "newsletters/admin/campaign_send_confirm.html",
            {
                "campaign": campaign,
                "header_title": f"Send “{campaign.subject}”?",
                "page_title": "Send now",
                "header_icon": "mail",
                "segment_count": selectors.campaign_segment(campaign).count(),
                "approved_version": selectors.campaign_approved_version(campaign),
            },
        )
    asked_at = timezone.now()
    try:
        sent = services.campaign_send_now(campaign=campaign, user=request.user)
    except services.CampaignError as error:
        services.campaign_send_refusal_log(
            campaign=campaign, user=request.user, reason=error.message
        )
        messages.error(request, error.message)
        return _back(campaign)
    if sent.send_started_at is None or sent.send_started_at < asked_at:
        # Another request started it first.
        return _already_sent(request, sent)
    messages.success(request, f"Sending has started to {sent.recipient_count} subscribers.")
    return _back(campaign)


@require_POST
def campaign_approval_withdraw(request, pk):
    require_permission(request, "newsletters.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return _run(
        request,
        campaign,
        lambda: services.campaign_approval_withdraw(campaign=campaign, user=request.user),
        "Approval withdrawn. The campaign is a draft again and needs a fresh sign-off.",
    )


@require_POST
def campaign_schedule(request, pk):
    require_permission(request, "newsletters.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date and time to send at.")
        return _back(campaign)
    when = form.cleaned_data["send_at"]
    return _run(
        request,
        campaign,
        lambda: services.campaign_schedule(campaign=campaign, user=request.user, when=when),
        f"Scheduled for {timezone.localtime(when):%d %B %Y at %H:%M}.",
    )


@require_POST
def campaign_unschedule(request, pk):
    require_permission(request, "newsletters.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return _run(
        request,
        campaign,
        lambda: services.campaign_unschedule(campaign=campaign, user=request.user),
        "No longer scheduled. It is still approved.",
    )


def subscriber_export(request, pk):
    """Everything held on one subscriber, as a JSON file to give them (subject access)."""
    require_permission(request, "newsletters.view_subscriber")
    subscriber = get_object_or_404(Subscriber, pk=pk)
    data = selectors.subscriber_export_data(subscriber=subscriber)
    services.subscriber_log_export(subscriber=subscriber, user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="subscriber-{subscriber.pk}.json"'
    return response


class CampaignIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if not instance.is_editable:
            buttons = [b for b in buttons if b.label != "Edit"]
        return buttons

    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        buttons.insert(
            0,
            ListingButton(
                "Manage and send",
                url=reverse("newsletters_campaign_manage", args=[instance.pk]),
                icon_name="mail",
                priority=5,
            ),
        )
        return buttons


class CampaignCreateView(generic.CreateView):
    def save_instance(self):
        self.form.instance.created_by = self.request.user
        return super().save_instance()

    def get_success_url(self):
        return reverse("newsletters_campaign_manage", args=[self.object.pk])


class CampaignEditView(generic.EditView):
    def dispatch(self, request, *args, **kwargs):
        campaign = Campaign.objects.filter(pk=kwargs.get("pk")).first()
        if campaign and not campaign.is_editable:
            messages.error(
                request, "A campaign that is scheduled, sending or sent cannot be changed."
            )
            return redirect("newsletters_campaign_manage", campaign.pk)
        return super().dispatch(request, *args, **kwargs)

    def save_instance(self):
        instance = super().save_instance()
        services.campaign_edited(campaign=instance, user=self.request.user)
        return instance

    def get_success_url(self):
        return reverse("newsletters_campaign_manage", args=[self.object.pk])


class SubscriberDeleteView(generic.DeleteView):
    """Deleting a subscriber is erasure: through the service, logged without the address."""

    def delete_action(self):
        services.subscriber_erase(subscriber=self.object, user=self.request.user)


class SubscriberEditView(generic.EditView):
    """Staff changes to a subscriber's choices are consent changes too, recorded as such."""

    def save_instance(self):
        original = Subscriber.objects.get(pk=self.object.pk)
        data = self.form.cleaned_data
        return services.subscriber_update_preferences(
            subscriber=original,
            name=data["name"],
            postcode=data["postcode"],
            topics=data["topics"],
            method=ConsentRecord.Method.ADMIN,
        )


class SubscriberIndexView(NeutralisedExportMixin, generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = [b for b in super().get_list_more_buttons(instance) if b.label != "Delete"]
        buttons.append(
            MenuItem(
                "Export everything held",
                url=reverse("newsletters_subscriber_export", args=[instance.pk]),
                icon_name="download",
                priority=40,
            )
        )
        if delete_url := self.get_delete_url(instance):
            buttons.append(MenuItem("Erase", url=delete_url, icon_name="bin", priority=50))
        return buttons
