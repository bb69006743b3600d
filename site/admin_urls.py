"""The project's own admin pages: the development mailbox (``signpost.dev_mail``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("outgoing-mail/", views.outgoing_mail, name="signpost_outgoing_mail"),
    path(
        "outgoing-mail/<str:name>/",
        views.outgoing_mail_message,
        name="signpost_outgoing_mail_message",
    ),
]
