"""Settings for bench/survey_burst.py: the shared settings, PostgreSQL from DATABASE_URL,
no debug, rate limits off (one client address sends everything), and a plain Wagtail form
page app to measure against."""

from signpost.settings.base import *  # noqa: F403
from signpost.settings.base import INSTALLED_APPS

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SIGNPOST_RATE_LIMITS_ENABLED = False
INSTALLED_APPS = [*INSTALLED_APPS, "bench.plainform"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
