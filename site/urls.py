from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from newsletters.webhooks import tracking_urlpatterns

from . import site_history, views

urlpatterns = [
    # Wagtail's password reset, limited per client and per address (before the admin's).
    path("admin/password_reset/", views.PasswordResetView.as_view()),
    # Wagtail's site history, with an export streamed from one query (before the admin's).
    path("admin/reports/site-history/", site_history.site_history_view),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/second-factor/", views.second_factor, name="sign_in_second_factor"),
    path("login/second-factor/enrol/", views.second_factor_enrol, name="sign_in_enrol"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    # A printed code's short link: the same on paper in every language.
    path("q/", include("printing.urls")),
    path("i18n/setlang/", views.set_language, name="set_language"),
    *tracking_urlpatterns(),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# What residents read, in their language: English at the root, others under their code
# (/cy/…, /ur/…). Apps add their public URLs here; Wagtail's page serving catches the rest.
urlpatterns += i18n_patterns(
    path("search/", views.search, name="search"),
    path("survey/", include("surveys.urls")),
    path("newsletters/", include("newsletters.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
