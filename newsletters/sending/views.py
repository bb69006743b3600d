"""The campaign's *Manage and send* page in the admin: what was approved, who it would
reach, the send's progress and figures, and *Send now*."""

import datetime

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from signpost.admin_permissions import require_permission
from signpost.languages import language_for

from ..campaigns.forms import ScheduleForm, TestSendForm
from ..campaigns.models import Campaign
from ..campaigns.selectors import (
    campaign_approved_version,
    campaign_last_sent_back,
    campaign_reviews,
    campaign_segment,
    campaign_translations_to_sign_off,
)
from ..campaigns.services import CampaignError, campaign_send_refusal_log
from ..campaigns.views import back_to_manage
from . import selectors, services

SAMPLE_SIZE = 10  # subscribers shown on a campaign's manage page


def campaign_manage(request, pk):
    require_permission(request, "newsletters.view_campaign")
    campaign = get_object_or_404(
        Campaign.objects.select_related(
            "newsletter", "created_by", "approved_by", "approved_revision__user"
        ),
        pk=pk,
    )
    segment = campaign_segment(campaign)
    reviews = campaign_reviews(campaign)
    figures = selectors.campaign_figures(campaign)
    can_change = request.user.has_perm("newsletters.change_campaign")
    context = {
        "campaign": campaign,
        "header_title": campaign.name,
        "page_title": campaign.name,
        "header_icon": "mail",
        "segment_count": segment.count()
        if campaign.status in {"draft", "in_review", "approved", "scheduled"}
        else None,
        # Residents' addresses only for those who may see subscribers, and always the same
        # ones: a random sample would hand out a new handful on every reload.
        "sample": list(segment.select_related("area").order_by("pk")[:SAMPLE_SIZE])
        if campaign.status in {"draft", "in_review", "approved", "scheduled"}
        and request.user.has_perm("newsletters.view_subscriber")
        else [],
        "approved_version": campaign_approved_version(campaign),
        "reviews": reviews,
        "last_review": reviews[0] if reviews else None,
        "sent_back": campaign_last_sent_back(campaign) if campaign.status == "draft" else None,
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
        # The languages it goes out in besides the newsletter's own, each to preview.
        "translation_previews": [
            (language_for(code).english_name, code)
            for code in sorted(campaign_translations_to_sign_off(campaign))
        ],
    }
    return TemplateResponse(request, "newsletters/admin/campaign_manage.html", context)


def campaign_progress(request, pk):
    """Figures as JSON, polled by the progress bar while a campaign is sending."""
    require_permission(request, "newsletters.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return JsonResponse(selectors.campaign_figures(campaign))


def _already_sent(request, campaign) -> HttpResponse:
    when = campaign.send_started_at
    campaign_send_refusal_log(campaign=campaign, user=request.user, reason="already sent")
    messages.warning(
        request,
        f"This campaign was already sent"
        f"{f' (sending began {timezone.localtime(when):%d %B %Y at %H:%M})' if when else ''}. "
        "Nothing was sent again.",
    )
    return back_to_manage(campaign)


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
                "segment_count": campaign_segment(campaign).count(),
                "approved_version": campaign_approved_version(campaign),
            },
        )
    asked_at = timezone.now()
    try:
        sent = services.campaign_send_now(campaign=campaign, user=request.user)
    except CampaignError as error:
        campaign_send_refusal_log(campaign=campaign, user=request.user, reason=error.message)
        messages.error(request, error.message)
        return back_to_manage(campaign)
    if sent.send_started_at is None or sent.send_started_at < asked_at:
        # Another request started it first.
        return _already_sent(request, sent)
    messages.success(request, f"Sending has started to {sent.recipient_count} subscribers.")
    return back_to_manage(campaign)
