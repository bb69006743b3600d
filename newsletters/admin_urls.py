"""The admin's newsletter pages beside the registers: a campaign's manage page and its
actions, and one subscriber's data export."""

from django.urls import path

from .campaigns import views as campaign_views
from .sending import views as sending_views
from .subscribers import views as subscriber_views

urlpatterns = [
    path(
        "campaigns/<int:pk>/manage/",
        sending_views.campaign_manage,
        name="newsletters_campaign_manage",
    ),
    path(
        "campaigns/<int:pk>/progress/",
        sending_views.campaign_progress,
        name="newsletters_campaign_progress",
    ),
    path(
        "campaigns/<int:pk>/preview/",
        campaign_views.campaign_preview,
        name="newsletters_campaign_preview",
    ),
    path(
        "campaigns/<int:pk>/approve/",
        campaign_views.campaign_approve,
        name="newsletters_campaign_approve",
    ),
    path(
        "campaigns/<int:pk>/request-approval/",
        campaign_views.campaign_approval_request,
        name="newsletters_campaign_request_approval",
    ),
    path(
        "campaigns/<int:pk>/send-back/",
        campaign_views.campaign_send_back,
        name="newsletters_campaign_send_back",
    ),
    path(
        "campaigns/<int:pk>/test/",
        campaign_views.campaign_test_send,
        name="newsletters_campaign_test_send",
    ),
    path(
        "campaigns/<int:pk>/send/",
        sending_views.campaign_send,
        name="newsletters_campaign_send",
    ),
    path(
        "campaigns/<int:pk>/withdraw/",
        campaign_views.campaign_approval_withdraw,
        name="newsletters_campaign_withdraw",
    ),
    path(
        "campaigns/<int:pk>/schedule/",
        campaign_views.campaign_schedule,
        name="newsletters_campaign_schedule",
    ),
    path(
        "campaigns/<int:pk>/unschedule/",
        campaign_views.campaign_unschedule,
        name="newsletters_campaign_unschedule",
    ),
    path(
        "subscribers/<int:pk>/export/",
        subscriber_views.subscriber_export,
        name="newsletters_subscriber_export",
    ),
]
