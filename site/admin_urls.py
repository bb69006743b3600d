"""The project's own admin pages: the development mailbox (``signpost.dev_mail``), locked
sign-ins (superusers) and one's own recovery codes."""

from django.urls import path

from . import views

urlpatterns = [
    path("locked-sign-ins/", views.locked_sign_ins, name="signpost_locked_sign_ins"),
    path("account/recovery-codes/", views.recovery_codes, name="signpost_recovery_codes"),
    path("outgoing-mail/", views.outgoing_mail, name="signpost_outgoing_mail"),
    path(
        "outgoing-mail/<str:name>/",
        views.outgoing_mail_message,
        name="signpost_outgoing_mail_message",
    ),
]
