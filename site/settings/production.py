"""Production: everything secret or site-specific comes from the environment, and the
process refuses to start without it."""

import dj_database_url

from .base import *  # noqa: F403
from .base import ANYMAIL, PRIVATE_STORAGE
from .env import env_bool, env_int, env_list, env_required, env_str

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [env_required("ALLOWED_HOSTS")]
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"https://{h}" for h in ALLOWED_HOSTS])
WAGTAILADMIN_BASE_URL = env_required("SIGNPOST_BASE_URL")

DATABASES = {
    "default": dj_database_url.parse(
        env_required("DATABASE_URL"), conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
    )
}

CELERY_BROKER_URL = env_required("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = False
REDIS_URL = env_str("REDIS_URL", CELERY_BROKER_URL)
CACHES = {
    "default": {
        "BACKEND": "signpost.cache.FailSoftRedisCache",
        "LOCATION": REDIS_URL,
        # A Redis that stops answering fails a request in seconds, not minutes.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 5},
    }
}

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Email through django-anymail to the ESP.
_ESP_BACKENDS = {
    "mailgun": "anymail.backends.mailgun.EmailBackend",
}
_esp = env_str("SIGNPOST_ESP", "mailgun")
if _esp not in _ESP_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"SIGNPOST_ESP must be one of {sorted(_ESP_BACKENDS)}, not {_esp!r}."
    )
EMAIL_BACKEND = _ESP_BACKENDS[_esp]
ANYMAIL.update(
    {
        "MAILGUN_API_KEY": env_required("MAILGUN_API_KEY"),
        "MAILGUN_SENDER_DOMAIN": env_required("MAILGUN_SENDER_DOMAIN"),
        "MAILGUN_WEBHOOK_SIGNING_KEY": env_required("MAILGUN_WEBHOOK_SIGNING_KEY"),
        "WEBHOOK_SECRET": env_required("ANYMAIL_WEBHOOK_SECRET"),
    }
)
DEFAULT_FROM_EMAIL = env_required("DEFAULT_FROM_EMAIL")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Signpost administrators", a) for a in env_list("SIGNPOST_ADMIN_EMAILS")]

# Transport security. The TLS terminator in front sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# Load balancers and orchestrators probe the processes directly, over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# --- security: the load balancer ------------------------------------------------------------
# Production runs behind one load balancer (it also sets X-Forwarded-Proto, trusted above):
# rate limits and QR repeat scans key on the address it saw. See the README.
SIGNPOST_TRUSTED_PROXY_COUNT = env_int("SIGNPOST_TRUSTED_PROXY_COUNT", 1)

# A demonstration or staging install may load the fictional demo initiative (its accounts
# have well-known passwords): never on an install holding residents' data.
SIGNPOST_ALLOW_DEMO_DATA = env_bool("SIGNPOST_ALLOW_DEMO_DATA", False)
