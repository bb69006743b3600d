"""Admin wiring: a Newsletters menu (campaigns, subscribers, topics, suppressions), the
campaign manage page, and the audit-log actions every send and sign-off is logged under."""

from django.urls import path, reverse
from signpost.exports import NeutralisedExportMixin
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import ListingButton

from . import admin_views, services
from .models import Campaign, Subscriber, Suppression, Topic


@hooks.register("register_log_actions")
def register_newsletter_log_actions(actions):
    actions.register_action(
        "newsletters.campaign.approve", "Approve campaign", "Campaign approved for sending"
    )
    actions.register_action(
        "newsletters.campaign.approval_withdrawn",
        "Withdraw approval",
        "Campaign changed after approval: approval withdrawn",
    )
    actions.register_action("newsletters.campaign.test_send", "Test send", "Test email sent")
    actions.register_action("newsletters.campaign.schedule", "Schedule", "Campaign scheduled")
    actions.register_action("newsletters.campaign.unschedule", "Unschedule", "Schedule cancelled")
    actions.register_action("newsletters.campaign.send", "Send campaign", "Sending started")
    actions.register_action(
        "newsletters.campaign.send_refused", "Sending refused", "Refused to send the campaign"
    )
    actions.register_action("newsletters.campaign.sent", "Campaign sent", "Sending finished")
    actions.register_action(
        "newsletters.subscriber.export", "Export subscriber data", "Subscriber data exported"
    )
    actions.register_action("newsletters.subscriber.erase", "Erase subscriber", "Subscriber erased")


@hooks.register("register_admin_urls")
def register_newsletter_admin_urls():
    return [
        path(
            "newsletters/campaigns/<int:pk>/manage/",
            admin_views.campaign_manage,
            name="newsletters_campaign_manage",
        ),
        path(
            "newsletters/campaigns/<int:pk>/progress/",
            admin_views.campaign_progress,
            name="newsletters_campaign_progress",
        ),
        path(
            "newsletters/campaigns/<int:pk>/preview/",
            admin_views.campaign_preview,
            name="newsletters_campaign_preview",
        ),
        path(
            "newsletters/campaigns/<int:pk>/approve/",
            admin_views.campaign_approve,
            name="newsletters_campaign_approve",
        ),
        path(
            "newsletters/campaigns/<int:pk>/test/",
            admin_views.campaign_test_send,
            name="newsletters_campaign_test_send",
        ),
        path(
            "newsletters/campaigns/<int:pk>/send/",
            admin_views.campaign_send,
            name="newsletters_campaign_send",
        ),
        path(
            "newsletters/campaigns/<int:pk>/withdraw/",
            admin_views.campaign_approval_withdraw,
            name="newsletters_campaign_withdraw",
        ),
        path(
            "newsletters/campaigns/<int:pk>/schedule/",
            admin_views.campaign_schedule,
            name="newsletters_campaign_schedule",
        ),
        path(
            "newsletters/campaigns/<int:pk>/unschedule/",
            admin_views.campaign_unschedule,
            name="newsletters_campaign_unschedule",
        ),
        path(
            "newsletters/subscribers/<int:pk>/export/",
            admin_views.subscriber_export,
            name="newsletters_subscriber_export",
        ),
    ]


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
            from django.contrib import messages
            from django.shortcuts import redirect

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


class CampaignViewSet(ModelViewSet):
    model = Campaign
    icon = "mail"
    menu_label = "Campaigns"
    index_view_class = CampaignIndexView
    add_view_class = CampaignCreateView
    edit_view_class = CampaignEditView
    list_display = [
        "name",
        "newsletter",
        "status",
        "recipient_count",
        "scheduled_for",
        "send_finished_at",
    ]
    list_filter = ["status"]
    search_fields = ["name", "subject"]
    inspect_view_enabled = False
    copy_view_enabled = False


class SubscriberDeleteView(generic.DeleteView):
    """Deleting a subscriber is erasure: through the service, logged without the address."""

    def delete_action(self):
        services.subscriber_erase(subscriber=self.object, user=self.request.user)


class SubscriberEditView(generic.EditView):
    """Staff changes to a subscriber's choices are consent changes too, recorded as such."""

    def save_instance(self):
        from .models import ConsentRecord

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
        from wagtail.admin.widgets.button import MenuItem

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


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "group"
    menu_label = "Subscribers"
    index_view_class = SubscriberIndexView
    delete_view_class = SubscriberDeleteView
    edit_view_class = SubscriberEditView
    list_display = ["email", "name", "area", "status", "created_at", "confirmed_at"]
    list_filter = ["status", "area", "topics"]
    list_export = ["email", "name", "postcode", "area", "status", "created_at", "confirmed_at"]
    export_filename = "subscribers"
    search_fields = ["email", "name", "postcode"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "email",
        "name",
        "postcode",
        "area",
        "topics",
        "status",
        "created_at",
        "confirmed_at",
        "unsubscribed_at",
    ]
    form_fields = ["name", "postcode", "topics"]
    copy_view_enabled = False


class TopicViewSet(ModelViewSet):
    model = Topic
    icon = "tag"
    menu_label = "Topics"
    list_display = ["name", "description"]
    form_fields = ["name", "slug", "description"]
    copy_view_enabled = False


class SuppressionViewSet(ModelViewSet):
    model = Suppression
    icon = "warning"
    menu_label = "Suppression list"
    list_display = [
        "reason",
        Column("email_hash", label="Address fingerprint"),
        "created_at",
        "detail",
    ]
    list_filter = ["reason"]
    form_fields = ["reason", "detail"]
    copy_view_enabled = False


class NewslettersGroup(ModelViewSetGroup):
    menu_label = "Newsletters"
    menu_icon = "mail"
    menu_order = 250
    items = (
        CampaignViewSet("newsletters_campaigns", url_prefix="newsletters/campaigns"),
        SubscriberViewSet("newsletters_subscribers", url_prefix="newsletters/subscribers"),
        TopicViewSet("newsletters_topics", url_prefix="newsletters/topics"),
        SuppressionViewSet("newsletters_suppressions", url_prefix="newsletters/suppressions"),
    )


@hooks.register("register_admin_viewset")
def register_newsletters_viewsets():
    return NewslettersGroup()
