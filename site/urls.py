from django.conf import settings
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
    path("search/", views.search, name="search"),
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("login/second-factor/", views.second_factor, name="sign_in_second_factor"),
    path("login/second-factor/enrol/", views.second_factor_enrol, name="sign_in_enrol"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("survey/", include("surveys.urls")),
    path("q/", include("printing.urls")),
    path("newsletters/", include("newsletters.urls")),
    *tracking_urlpatterns(),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Apps add their public URLs above this line; Wagtail's page serving catches the rest.
urlpatterns += [path("", include(wagtail_urls))]
