"""The project's own admin pages: the development mailbox (``signpost.dev_mail``), locked
sign-ins (superusers), one's own recovery codes and large exports and the background jobs (``signpost.jobs``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("locked-sign-ins/", views.locked_sign_ins, name="signpost_locked_sign_ins"),
    path("account/recovery-codes/", views.recovery_codes, name="signpost_recovery_codes"),
    path("background-jobs/", views.jobs_index, name="signpost_jobs"),
    path("background-jobs/<int:pk>/retry/", views.job_retry, name="signpost_job_retry"),
    path("downloads/", views.downloads, name="signpost_downloads"),
    path("downloads/<int:pk>/", views.download, name="signpost_download"),
    path("outgoing-mail/", views.outgoing_mail, name="signpost_outgoing_mail"),
    path(
        "outgoing-mail/<str:name>/",
        views.outgoing_mail_message,
        name="signpost_outgoing_mail_message",
    ),
]
