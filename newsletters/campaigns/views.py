"""The admin's campaign views: the listing, adding and editing views the viewset uses,
the email's preview, and the manage page's actions that decide about a campaign
(request approval, approve, send back, test send, withdraw approval, schedule)."""

import contextlib

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_POST
from signpost.admin_permissions import require_permission
from signpost.content_security import with_own_styles
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import ListingButton

from . import selectors, services
from .email import RenderedEmail, sample_merge_values
from .forms import ScheduleForm, SendBackForm, TestSendForm
from .models import Campaign


def campaign_preview(request, pk):
    """The email as a recipient will see it, with sample merge values; ``?language=cy``
    as a subscriber who reads Welsh will see it (the translation signed off with the
    campaign, or before approval the one approval would sign off)."""
    require_permission(request, "newsletters.view_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    language = request.GET.get("language", "")
    if language and language in (campaign.rendered_translations or {}):
        stored = campaign.rendered_translations[language]
        rendered = RenderedEmail(stored["subject"], stored["html"], stored["text"])
    elif language:
        rendered = selectors.campaign_translation_emails(campaign).get(language)
        if rendered is None:
            raise Http404("The newsletter has no translation in this language to send.")
    elif campaign.rendered_html:
        rendered = RenderedEmail(
            campaign.rendered_subject, campaign.rendered_html, campaign.rendered_text
        )
    else:
        rendered = selectors.campaign_email(campaign)
    # The sample links as that language's subscribers get them (/cy/…).
    with translation.override(language) if language else contextlib.nullcontext():
        values = sample_merge_values()
    if request.GET.get("format") == "text":
        return HttpResponse(rendered.text_for(values), content_type="text/plain; charset=utf-8")
    return with_own_styles(HttpResponse(rendered.html_for(values)))


def back_to_manage(campaign):
    return redirect("newsletters_campaign_manage", campaign.pk)


def _run(request, campaign, action, success: str):
    try:
        action()
    except services.CampaignError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return back_to_manage(campaign)


@require_POST
def campaign_approve(request, pk):
    require_permission(request, "newsletters.approve_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return _run(
        request,
        campaign,
        lambda: services.campaign_approve(campaign=campaign, user=request.user),
        "Campaign approved. It can now be sent or scheduled; its author has been told.",
    )


@require_POST
def campaign_approval_request(request, pk):
    require_permission(request, "newsletters.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    return _run(
        request,
        campaign,
        lambda: services.campaign_approval_request(campaign=campaign, user=request.user),
        "Approval requested. The Approvers have been emailed.",
    )


def campaign_send_back(request, pk):
    """Ask the reason first (the author is emailed it), then send the campaign back."""
    require_permission(request, "newsletters.approve_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    form = SendBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_send_back(
                campaign=campaign, user=request.user, reason=form.cleaned_data["reason"]
            )
        except services.CampaignError as error:
            messages.error(request, error.message)
            return back_to_manage(campaign)
        messages.success(request, "Sent back to its author with your reason.")
        return back_to_manage(campaign)
    return TemplateResponse(
        request,
        "newsletters/admin/campaign_send_back.html",
        {
            "campaign": campaign,
            "form": form,
            "header_title": f"Send “{campaign.name}” back?",
            "page_title": "Send back",
            "header_icon": "mail",
        },
    )


@require_POST
def campaign_test_send(request, pk):
    require_permission(request, "newsletters.change_campaign")
    campaign = get_object_or_404(Campaign, pk=pk)
    form = TestSendForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["addresses"]))
        return back_to_manage(campaign)
    count = services.campaign_send_test(
        campaign=campaign, user=request.user, addresses=form.cleaned_data["addresses"]
    )
    messages.success(request, f"Test sent to {count} address{'es' if count != 1 else ''}.")
    return back_to_manage(campaign)


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
        return back_to_manage(campaign)
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


class CampaignIndexView(generic.IndexView):
    def get_base_queryset(self):
        # Each row names its newsletter: one join, not a query a row.
        return super().get_base_queryset().select_related("newsletter")

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
