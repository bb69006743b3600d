"""Residents' addresses under ``/newsletters/``: sign up, confirm, change preferences,
leave, and what campaign emails link to (QR code images, the newsletter as approved, a
test email's links)."""

from django.urls import path

from .campaigns import public_views as campaign_views
from .subscribers import public_views as subscriber_views

app_name = "newsletters"

urlpatterns = [
    path("subscribe/", subscriber_views.subscribe, name="subscribe"),
    path("subscribe/check-your-email/", subscriber_views.check_email, name="check_email"),
    path("confirm/<str:token>/", subscriber_views.confirm, name="confirm"),
    path("preferences/<str:token>/", subscriber_views.preferences, name="preferences"),
    path("unsubscribe/<str:token>/", subscriber_views.unsubscribe, name="unsubscribe"),
    path("qr/<str:token>.png", campaign_views.qr_code, name="qr_code"),
    path("as-emailed/<str:token>/", campaign_views.approved_version, name="approved_version"),
    path("sample/<slug:link>/", campaign_views.sample_link, name="sample_link"),
]
