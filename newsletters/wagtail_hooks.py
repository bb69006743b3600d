"""Registers the newsletters app with Wagtail: the Newsletters menu, the admin pages'
URLs and the audit-log actions every send and sign-off is logged under. What is
registered lives in ``viewsets``, ``admin_urls`` and the sub-packages."""

from django.urls import include, path
from wagtail import hooks

from . import admin_urls
from .viewsets import NewslettersGroup


@hooks.register("register_log_actions")
def register_newsletter_log_actions(actions):
    actions.register_action(
        "newsletters.campaign.approve", "Approve campaign", "Campaign approved for sending"
    )
    actions.register_action(
        "newsletters.campaign.approval_requested",
        "Request approval",
        "Approval of the campaign requested",
    )
    actions.register_action(
        "newsletters.campaign.sent_back", "Send back", "Campaign sent back to its author"
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
    return [path("newsletters/", include(admin_urls))]


@hooks.register("register_admin_viewset")
def register_newsletters_viewsets():
    return NewslettersGroup()
