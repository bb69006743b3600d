"""Wagtail admin views for campaigns and subscribers that are more than create/edit:
the campaign's manage page (segment, test send, approval, send, progress, figures), its
progress JSON, and a subscriber's data export."""

import datetime
import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Campaign, Subscriber

SAMPLE_SIZE = 10


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        label="Send a test to",
        help_text="Up to five addresses, separated by commas.",
        widget=forms.TextInput(attrs={"autocomplete": "email"}),
    )

    def clean_addresses(self):
        addresses = [a.strip() for a in self.cleaned_data["addresses"].split(",") if a.strip()]
        if not addresses or len(addresses) > 5:
            raise forms.ValidationError("Give between one and five addresses.")
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError as error:
                raise forms.ValidationError(f"Not an email address: {address}") from error
        return addresses


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label="Send at",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )


def _require(request, permission: str):
    if not request.user.has_perm(permission):
        raise PermissionDenied


def campaign_manage(request, pk):
    _require(request, "newsletters.view_campaign")
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
    _require(request, "newsletters.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return JsonResponse(selectors.campaign_figures(campaign))


def campaign_preview(request, pk):
    """The email as a recipient will see it, with sample merge values."""
    _require(request, "newsletters.view_campaign")
    from .email import sample_merge_values

    campaign = get_object_or_404(Campaign, pk=pk)
    if campaign.rendered_html:
        from .email import RenderedEmail

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
    campaign = get_object_or_404(Campaign, pk=pk)
    if not request.user.has_perm("newsletters.approve_campaign"):
        raise PermissionDenied
    return _run(
        request,
        campaign,
        lambda: services.campaign_approve(campaign=campaign, user=request.user),
        "Campaign approved. It can now be sent or scheduled.",
    )


@require_POST
def campaign_test_send(request, pk):
    _require(request, "newsletters.change_campaign")
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
    _require(request, "newsletters.change_campaign")
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
    _require(request, "newsletters.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return _run(
        request,
        campaign,
        lambda: services.campaign_approval_withdraw(campaign=campaign, user=request.user),
        "Approval withdrawn. The campaign is a draft again and needs a fresh sign-off.",
    )


@require_POST
def campaign_schedule(request, pk):
    _require(request, "newsletters.change_campaign")
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
    _require(request, "newsletters.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return _run(
        request,
        campaign,
        lambda: services.campaign_unschedule(campaign=campaign, user=request.user),
        "No longer scheduled. It is still approved.",
    )


def subscriber_export(request, pk):
    """Everything held on one subscriber, as a JSON file to give them (subject access)."""
    _require(request, "newsletters.view_subscriber")
    subscriber = get_object_or_404(Subscriber, pk=pk)
    data = selectors.subscriber_export_data(subscriber=subscriber)
    services.subscriber_log_export(subscriber=subscriber, user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="subscriber-{subscriber.pk}.json"'
    return response
