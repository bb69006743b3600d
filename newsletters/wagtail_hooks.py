"""Admin wiring: a Newsletters menu (campaigns, subscribers, topics, suppressions), the
campaign manage page, and the audit-log actions every send and sign-off is logged under."""

from django.urls import path
from wagtail import hooks
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from . import views
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
            views.campaign_manage,
            name="newsletters_campaign_manage",
        ),
        path(
            "newsletters/campaigns/<int:pk>/progress/",
            views.campaign_progress,
            name="newsletters_campaign_progress",
        ),
        path(
            "newsletters/campaigns/<int:pk>/preview/",
            views.campaign_preview,
            name="newsletters_campaign_preview",
        ),
        path(
            "newsletters/campaigns/<int:pk>/approve/",
            views.campaign_approve,
            name="newsletters_campaign_approve",
        ),
        path(
            "newsletters/campaigns/<int:pk>/test/",
            views.campaign_test_send,
            name="newsletters_campaign_test_send",
        ),
        path(
            "newsletters/campaigns/<int:pk>/send/",
            views.campaign_send,
            name="newsletters_campaign_send",
        ),
        path(
            "newsletters/campaigns/<int:pk>/withdraw/",
            views.campaign_approval_withdraw,
            name="newsletters_campaign_withdraw",
        ),
        path(
            "newsletters/campaigns/<int:pk>/schedule/",
            views.campaign_schedule,
            name="newsletters_campaign_schedule",
        ),
        path(
            "newsletters/campaigns/<int:pk>/unschedule/",
            views.campaign_unschedule,
            name="newsletters_campaign_unschedule",
        ),
        path(
            "newsletters/subscribers/<int:pk>/export/",
            views.subscriber_export,
            name="newsletters_subscriber_export",
        ),
    ]


class CampaignViewSet(ModelViewSet):
    model = Campaign
    icon = "mail"
    menu_label = "Campaigns"
    index_view_class = views.CampaignIndexView
    add_view_class = views.CampaignCreateView
    edit_view_class = views.CampaignEditView
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


class SubscriberViewSet(ModelViewSet):
    model = Subscriber
    icon = "group"
    menu_label = "Subscribers"
    index_view_class = views.SubscriberIndexView
    delete_view_class = views.SubscriberDeleteView
    edit_view_class = views.SubscriberEditView
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
