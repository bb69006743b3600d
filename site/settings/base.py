"""Settings shared by every environment. Values that differ come from the environment."""

import datetime
from pathlib import Path

import dj_database_url

from .env import env_bool, env_int, env_list, env_str

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(env_str("SIGNPOST_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "dev-only-not-secret-signpost-key")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Content types first: apps are serialised in this order for tests' serialized
    # rollback, and Wagtail's Task.__init__ looks its content type up while being loaded.
    "django.contrib.contenttypes",
    "signpost",
    "engagement",
    "newsletters",
    "surveys",
    "evaluation",
    "printing",
    "reports",
    "neighbourhoods",
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.frontend_cache",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "anymail",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "signpost.content_security.SignpostCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The public pages' language comes from the address (/cy/…, /ur/…; English has none).
    "django.middleware.locale.LocaleMiddleware",
    "signpost.language_switch.RememberedLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "signpost.sign_in.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "signpost.service_status.ServiceStatusMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, so it sees the lockout flag every sign-in door sets and answers 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "signpost.urls"
WSGI_APPLICATION = "signpost.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file for the embedded default.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The languages residents can read Signpost in: its own text (locale/, Django's catalogues)
# and the pages translated in the CMS. signpost.languages says how each is written.
LANGUAGES = [("en-gb", "English"), ("cy", "Welsh"), ("ur", "Urdu")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A resident's chosen language is kept for a year (set only when they choose one).
LANGUAGE_COOKIE_NAME = "signpost_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Private files (household leaflet PDFs, progress reports) live apart from uploads, in a
# folder no web server serves (signpost.storage); any storage can take its place.
PRIVATE_ROOT = Path(env_str("SIGNPOST_PRIVATE_ROOT", str(VAR_DIR / "private")))
PRIVATE_STORAGE = {
    "BACKEND": "signpost.storage.PrivateFileSystemStorage",
    "OPTIONS": {"location": str(PRIVATE_ROOT)},
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": PRIVATE_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "wagtailadmin_login"

# Wagtail
WAGTAIL_SITE_NAME = "Signpost"
WAGTAIL_GRAVATAR_PROVIDER_URL = None  # no third-party avatar service: staff emails stay here
WAGTAILADMIN_BASE_URL = env_str("SIGNPOST_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "signpost.search_backend"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# Draftail, with content it cannot read refused as a form error (signpost.rich_text).
WAGTAILADMIN_RICH_TEXT_EDITORS = {"default": {"WIDGET": "signpost.rich_text.DraftailRichTextArea"}}
# No SVG: an SVG is a document that can carry script, and would run it on this origin.
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
# Uploads are capped in pixels (from the file's header, before decoding) and bytes, and
# must decode whole (signpost.images); Pillow refuses larger files anywhere else too.
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILIMAGES_MAX_UPLOAD_SIZE = env_int("SIGNPOST_MAX_IMAGE_BYTES", 10 * 1024 * 1024)
WAGTAILIMAGES_IMAGE_FORM_BASE = "signpost.images.ImageForm"
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Celery: with no broker, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}

# --- Work that survives failure: how task messages are delivered --------------------------
# Chosen on purpose; the job ledger (signpost.jobs) is what finally guarantees that work
# finishes, and these keep the broker from working against it.
# A message is acknowledged when its task ends, not when a worker takes it: a worker
# killed mid-task (SIGKILL, out of memory) leaves the message to be delivered again.
CELERY_TASK_ACKS_LATE = True
# ...and a task whose worker process died is requeued at once rather than acknowledged.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# A worker reserves one message per process: a killed worker strands one task, not a
# prefetched queue of them, and a long print part never holds short emails behind it.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged message out again after the visibility timeout. It must be
# longer than the longest task (a print part or a campaign batch takes seconds, the monthly
# report draft a few minutes), or Redis would hand a task still running to a second worker.
# Half an hour keeps well clear of that; beat's ledger resumes a dead worker's job within
# its stall time (minutes), so nothing waits for the timeout.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("SIGNPOST_VISIBILITY_TIMEOUT", 1800),
    # A request queuing work never waits long on a broker that is down: the job ledger
    # keeps the work and beat hands it on when the broker is back.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 2
CELERY_REDIS_SOCKET_TIMEOUT = 5
# A job with no sign of life (heartbeat) for this long is sent again by beat: longer than
# the gap between two heartbeats of any task (a print part beats every 100 items).
SIGNPOST_JOB_STALL_SECONDS = env_int("SIGNPOST_JOB_STALL_SECONDS", 180)
# Beat resends the ledger's stalled jobs (and those the broker refused) every minute.
CELERY_BEAT_SCHEDULE["signpost-jobs-resume-stalled"] = {
    "task": "signpost.jobs_resume_stalled",
    "schedule": 60.0,
}
# --- end of delivery settings --------------------------------------------------------------

# Listing exports of more rows than this are prepared by a worker and downloaded from
# "Your downloads" (signpost.prepared_exports): a web request is killed after a minute, and
# the slowest export (the stakeholder register in Excel) writes about 500 rows a second.
# Their files are kept this many days.
SIGNPOST_EXPORT_INLINE_ROWS = env_int("SIGNPOST_EXPORT_INLINE_ROWS", 5_000)
SIGNPOST_EXPORT_KEEP_DAYS = env_int("SIGNPOST_EXPORT_KEEP_DAYS", 7)
CELERY_BEAT_SCHEDULE["signpost-prepared-exports-delete-expired"] = {
    "task": "signpost.prepared_exports_delete_expired",
    "schedule": 60 * 60,
}

# Shared cache: rate limits and send throttles must agree across processes, so a real
# deployment points REDIS_URL at the broker's Redis.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # Fails soft: with Redis down, pages are served uncached (signpost.cache).
    CACHES = {"default": {"BACKEND": "signpost.cache.FailSoftRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Email. Development writes every message to files a person can read; production sends
# through django-anymail to the ESP named by SIGNPOST_ESP.
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = VAR_DIR / "mail"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Signpost <updates@signpost.localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
SIGNPOST_ESP = env_str("SIGNPOST_ESP", "mailgun")
ANYMAIL = {
    "MAILGUN_API_KEY": env_str("MAILGUN_API_KEY", ""),
    "MAILGUN_SENDER_DOMAIN": env_str("MAILGUN_SENDER_DOMAIN", ""),
    "MAILGUN_WEBHOOK_SIGNING_KEY": env_str("MAILGUN_WEBHOOK_SIGNING_KEY", ""),
    "WEBHOOK_SECRET": env_str("ANYMAIL_WEBHOOK_SECRET", ""),
}
if env_str("MAILGUN_API_URL"):
    ANYMAIL["MAILGUN_API_URL"] = env_str("MAILGUN_API_URL")

# Public forms: honeypot field name and per-address rate limits.
SIGNPOST_RATE_LIMITS_ENABLED = env_bool("SIGNPOST_RATE_LIMITS_ENABLED", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Paths in log records lose their query strings, tokens and codes (signpost.logs).
    "filters": {"redact_paths": {"()": "signpost.logs.RedactPaths"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_paths"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail's background tasks (search index, references) log every run at INFO.
        "django_tasks": {"level": "WARNING"},
        "django.tasks": {"level": "WARNING"},
    },
}

# Surveys: perception surveys, waves and comparisons.
# Answers accepted from one address per period (the address is never stored).
SURVEYS_SUBMIT_RATE_LIMIT = (
    env_int("SURVEYS_SUBMIT_RATE_LIMIT", 20),
    env_int("SURVEYS_SUBMIT_RATE_PERIOD", 3600),
)
# Counts under this are suppressed in every breakdown (with secondary suppression).
SURVEYS_SUPPRESSION_THRESHOLD = env_int("SURVEYS_SUPPRESSION_THRESHOLD", 10)
# A smallest detectable change above this (percentage points) makes the comparison say
# plainly that the survey was too small to detect changes of ordinary size.
SURVEYS_DETECTABLE_CHANGE_WARNING_POINTS = env_int("SURVEYS_DETECTABLE_CHANGE_WARNING_POINTS", 15)
SURVEYS_MAX_CODES_PER_ISSUE = 50_000
# Answers are stored as responses in shuffled batches of at least this many per wave, so
# a stored response can be told apart from no fewer than this many others by when it was
# written (see surveys.services.responses_flush).
SURVEYS_RESPONSE_BATCH_MIN = env_int("SURVEYS_RESPONSE_BATCH_MIN", 10)
CELERY_BEAT_SCHEDULE["surveys-flush-responses"] = {
    "task": "surveys.responses_flush",
    "schedule": 5 * 60.0,
}
# Weighting to the area's population (surveys.weighting): no respondent weighs more than
# this many times the average, and a wave whose effective sample size falls below the
# minimum is warned about.
SURVEYS_WEIGHT_CAP = env_int("SURVEYS_WEIGHT_CAP", 5)
SURVEYS_MINIMUM_EFFECTIVE_SAMPLE = env_int("SURVEYS_MINIMUM_EFFECTIVE_SAMPLE", 100)

# Printing (printing/): leaflets, signs and QR short links.
SIGNPOST_PRINT_MAX_QUANTITY = env_int("SIGNPOST_PRINT_MAX_QUANTITY", 10_000)
SIGNPOST_PRINT_MAX_SIGNS = env_int("SIGNPOST_PRINT_MAX_SIGNS", 200)
SIGNPOST_SIGN_DAYS_UP = env_int("SIGNPOST_SIGN_DAYS_UP", 3)
# Items stamped per part of a run; a run of more parts is spread over the Celery workers,
# which then share SIGNPOST_PRINT_WORK_DIR (by default a folder in the system's temp).
SIGNPOST_PRINT_PART_SIZE = env_int("SIGNPOST_PRINT_PART_SIZE", 2000)
SIGNPOST_PRINT_WORK_DIR = env_str("SIGNPOST_PRINT_WORK_DIR")
LOGGING["loggers"]["weasyprint"] = {"level": "ERROR"}
LOGGING["loggers"]["weasyprint.progress"] = {"level": "WARNING"}
LOGGING["loggers"]["fontTools"] = {"level": "WARNING"}
CELERY_BEAT_SCHEDULE["printing-chase-overdue-signs"] = {
    "task": "printing.signs_chase_overdue",
    "schedule": 60 * 60,
}

# --- engagement: stakeholder register ----------------------------------------------------
# A score (1-5) at or above the threshold counts as "high" interest or influence.
SIGNPOST_GRID_THRESHOLD = env_int("SIGNPOST_GRID_THRESHOLD", 3)
# Days between engagements for each quadrant's strategy (for "watch": between re-assessments).
SIGNPOST_STAKEHOLDER_INTERVAL_DAYS = {"involve": 30, "consult": 60, "inform": 90, "watch": 90}
SIGNPOST_STAKEHOLDER_FIRST_CONTACT_DAYS = 14
SIGNPOST_STAKEHOLDER_REASSESS_DAYS = 180
# The largest CSV file, and the most stakeholders in one, that the bulk import accepts.
SIGNPOST_STAKEHOLDER_IMPORT_MAX_BYTES = 1_000_000
SIGNPOST_STAKEHOLDER_IMPORT_MAX_ROWS = 500
CELERY_BEAT_SCHEDULE["engagement-stakeholder-overdue"] = {
    "task": "engagement.stakeholder_overdue_remind_send",
    "schedule": 60 * 60 * 24,
}

# --- newsletters: subscriptions, campaigns and the ESP ---------------------------------
# Sign-up confirmation links expire; unconfirmed sign-ups are removed after this many days.
SIGNPOST_CONFIRM_LINK_MAX_AGE_DAYS = env_int("SIGNPOST_CONFIRM_LINK_MAX_AGE_DAYS", 7)
SIGNPOST_UNCONFIRMED_PURGE_DAYS = env_int("SIGNPOST_UNCONFIRMED_PURGE_DAYS", 14)
# Recipients per ESP call (Mailgun accepts at most 1,000 per batch send).
SIGNPOST_ESP_BATCH_SIZE = env_int("SIGNPOST_ESP_BATCH_SIZE", 500)
# Batches one chunk task sends, each claimed and built while the one before is in flight.
SIGNPOST_ESP_BATCHES_PER_TASK = env_int("SIGNPOST_ESP_BATCHES_PER_TASK", 10)
# Emails per second across every worker (a token bucket in the shared cache).
SIGNPOST_ESP_RATE_PER_SECOND = env_int("SIGNPOST_ESP_RATE_PER_SECOND", 500)
# A chunk still marked "sending" this long after it was claimed belonged to a dead worker.
SIGNPOST_SEND_LEASE_SECONDS = env_int("SIGNPOST_SEND_LEASE_SECONDS", 300)
SIGNPOST_CAMPAIGN_BACKEND = env_str(
    "SIGNPOST_CAMPAIGN_BACKEND", "newsletters.campaign_backends.anymail.AnymailBatchBackend"
)
SIGNPOST_DISPOSABLE_EMAIL_DOMAINS = env_list("SIGNPOST_DISPOSABLE_EMAIL_DOMAINS")
CELERY_BEAT_SCHEDULE.update(
    {
        "newsletters-send-scheduled-campaigns": {
            "task": "newsletters.campaigns_send_due",
            "schedule": 60.0,
        },
        "newsletters-resume-stalled-sends": {
            "task": "newsletters.deliveries_resume_stalled",
            "schedule": 60.0,
        },
        "newsletters-purge-unconfirmed": {
            "task": "newsletters.subscribers_purge_unconfirmed",
            "schedule": 6 * 3600.0,
        },
        # The per-area subscriber counts are kept by database triggers; counted afresh
        # nightly in case a change ever reached the register with them off.
        "newsletters-recount-area-subscribers": {
            "task": "newsletters.area_subscriber_counts_recount",
            "schedule": 24 * 3600.0,
        },
    }
)

# --- reports: dashboard and progress reports to the strategic group ----------------------
# Last month's draft report is prepared at 06:00 on the 1st, and the communications
# officers are told it is ready for their commentary.
from celery.schedules import crontab  # noqa: E402 (kept inside this app's settings block)

CELERY_BEAT_SCHEDULE["reports-draft-monthly-report"] = {
    "task": "reports.report_draft_monthly",
    "schedule": crontab(minute=0, hour=6, day_of_month=1),
}

# --- engagement: communication plan, press releases, media enquiries ---------------------
# An edit made while a release is in review sends it back through every sign-off step.
WAGTAIL_WORKFLOW_REQUIRE_REAPPROVAL_ON_EDIT = True
# A press release's completed sign-off is recorded before it is published (other pages'
# workflows publish as Wagtail does).
WAGTAIL_FINISH_WORKFLOW_ACTION = "engagement.press.workflow_finish.workflow_finish"
# Press-release emails that failed at the ESP, or were lost with a worker, are sent again.
CELERY_BEAT_SCHEDULE["engagement-press-release-mailings-retry"] = {
    "task": "engagement.press_release_mailings_retry",
    "schedule": 15 * 60.0,
}
# Embargoed releases (and any page scheduled to go live) are published by beat, within a
# minute of their time and never before it.
CELERY_BEAT_SCHEDULE["engagement-publish-scheduled"] = {
    "task": "engagement.pages_publish_scheduled",
    "schedule": 60.0,
}

# --- security: webhooks, client addresses behind the load balancer, Content-Security-Policy
# The ESP's tracking webhook refuses signatures older than this (replays of old events).
SIGNPOST_WEBHOOK_MAX_AGE_SECONDS = env_int("SIGNPOST_WEBHOOK_MAX_AGE_SECONDS", 300)
# How many proxies (load balancer, TLS terminator) stand in front of the web processes,
# each adding the address it was reached from to X-Forwarded-For. Rate limits and QR
# repeat-scan detection key on the address the outermost trusted proxy saw. 0: no proxy,
# X-Forwarded-For ignored (anyone can send one).
SIGNPOST_TRUSTED_PROXY_COUNT = env_int("SIGNPOST_TRUSTED_PROXY_COUNT", 0)
# Content-Security-Policy on every response (django-csp, signpost.content_security): the
# site's own resources only; the admin also allows the inline script and style it needs.
from csp.constants import NONE, SELF  # noqa: E402 (kept inside this settings block)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
# The admin asks nobody outside for news or upgrades at run time.
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False

# --- public site: residents' pages, staff sign-in, caching --------------------------------
# Restricted pages send visitors to the site's own sign-in page, not Wagtail's bare one.
WAGTAIL_FRONTEND_LOGIN_URL = "login"
WAGTAIL_PASSWORD_REQUIRED_TEMPLATE = "signpost/password_required.html"  # noqa: S105 (a template)
WAGTAILDOCS_PASSWORD_REQUIRED_TEMPLATE = "signpost/password_required.html"  # noqa: S105
# Public pages: seconds a browser may keep a copy, and a shared cache (CDN) may keep one.
# Publishing purges the CDN's copy, so it can keep pages longer than browsers do.
SIGNPOST_PUBLIC_MAX_AGE = env_int("SIGNPOST_PUBLIC_MAX_AGE", 60)
SIGNPOST_CDN_MAX_AGE = env_int("SIGNPOST_CDN_MAX_AGE", 600)
# A CDN or caching proxy to purge on publish: none by default. Set SIGNPOST_PURGE_URL to a
# Varnish/Squid-style proxy that accepts PURGE requests, or configure another of Wagtail's
# frontend cache backends (Cloudflare, CloudFront, Azure) here.
WAGTAILFRONTENDCACHE: dict = {}
if env_str("SIGNPOST_PURGE_URL"):
    WAGTAILFRONTENDCACHE["default"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env_str("SIGNPOST_PURGE_URL"),
    }

# --- staff sign-in: second factor, throttling and lockout (signpost.sign_in) -----------------
# Every account signs in with a password and then a second factor: a TOTP code from an
# authenticator app (django-otp's TOTP device), or one of ten single-use recovery codes
# (its static device). Enrolment happens at the first sign-in.
OTP_TOTP_ISSUER = env_str("SIGNPOST_OTP_ISSUER", "Signpost")
# django-axes counts failed sign-ins (passwords at /admin/login/ and /login/, and codes
# at the second-factor step) per account and per client address, and locks either out
# after SIGNPOST_SIGN_IN_FAILURE_LIMIT failures for SIGNPOST_SIGN_IN_LOCKOUT_MINUTES.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGNPOST_SIGN_IN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("SIGNPOST_SIGN_IN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "signpost.public_forms.client_address"
AXES_LOCKOUT_CALLABLE = "signpost.views.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "otp_token"]
AXES_ENABLE_ADMIN = False  # unlocking is Signpost's own, audited (signpost.sign_in)
AXES_VERBOSE = False
# Failed sign-ins are counted in the database (Settings → Locked sign-ins); the log keeps
# only axes' warnings, not a line with a username and address for every attempt.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
# Password reset emails: per client, and per address asked for (the rest are not sent).
SIGNPOST_PASSWORD_RESETS_PER_CLIENT_HOUR = env_int("SIGNPOST_PASSWORD_RESETS_PER_CLIENT_HOUR", 10)
SIGNPOST_PASSWORD_RESETS_PER_ADDRESS_HOUR = env_int("SIGNPOST_PASSWORD_RESETS_PER_ADDRESS_HOUR", 3)
# Codes tried at the second-factor step, per client and hour (besides the lockout).
SIGNPOST_SECOND_FACTOR_ATTEMPTS_PER_HOUR = env_int("SIGNPOST_SECOND_FACTOR_ATTEMPTS_PER_HOUR", 30)

# --- health: /healthz, /readyz, beat's heartbeat (signpost.health) ------------------------
# Beat queues a heartbeat this often; /readyz calls beat silent when the last one to run is
# older than SIGNPOST_BEAT_HEARTBEAT_MAX_AGE (three missed beats).
SIGNPOST_BEAT_HEARTBEAT_SECONDS = env_int("SIGNPOST_BEAT_HEARTBEAT_SECONDS", 60)
SIGNPOST_BEAT_HEARTBEAT_MAX_AGE = env_int(
    "SIGNPOST_BEAT_HEARTBEAT_MAX_AGE", 3 * SIGNPOST_BEAT_HEARTBEAT_SECONDS
)
CELERY_BEAT_SCHEDULE["signpost-beat-heartbeat"] = {
    "task": "signpost.beat_heartbeat_stamp",
    "schedule": float(SIGNPOST_BEAT_HEARTBEAT_SECONDS),
    # A heartbeat older than the next one is worthless: it never waits in a queue for long.
    "options": {"expires": float(SIGNPOST_BEAT_HEARTBEAT_SECONDS)},
}
# Health endpoints answer each client this many times a minute (load balancers probe often).
SIGNPOST_HEALTH_REQUESTS_PER_MINUTE = env_int("SIGNPOST_HEALTH_REQUESTS_PER_MINUTE", 120)

# --- evaluation: recorded crime ------------------------------------------------------------
# The largest police.uk upload the admin takes (a zip of a force's year is ~20 MB).
SIGNPOST_CRIME_IMPORT_MAX_BYTES = env_int("SIGNPOST_CRIME_IMPORT_MAX_BYTES", 200 * 1024 * 1024)
# What an uploaded zip may unpack to, by its declared sizes (checked before unpacking).
SIGNPOST_CRIME_IMPORT_MAX_UNZIPPED_BYTES = env_int(
    "SIGNPOST_CRIME_IMPORT_MAX_UNZIPPED_BYTES", 2 * 1024 * 1024 * 1024
)
# Rows written to the database at a time (memory stays flat whatever the file's size).
SIGNPOST_CRIME_IMPORT_BATCH_ROWS = env_int("SIGNPOST_CRIME_IMPORT_BATCH_ROWS", 5000)
# An import silent for this long is taken to have lost its worker and is resumed.
SIGNPOST_CRIME_IMPORT_LEASE_SECONDS = env_int("SIGNPOST_CRIME_IMPORT_LEASE_SECONDS", 120)
CELERY_BEAT_SCHEDULE["evaluation-crime-imports-resume"] = {
    "task": "evaluation.crime_imports_resume",
    "schedule": 60,
}

# --- Celery queues and routes (bin/signpost worker) ------------------------------------------
# Three queues: `send` (campaign batches, sign-up confirmations, notices by email), `print`
# (rendering print runs: minutes of CPU each) and `default` (beat's sweeps and everything
# else). Production runs print workers apart from the others, so a print run never holds up
# a send; a worker started without `-Q` (make run, tests) takes all three.
from kombu import Queue  # noqa: E402 (kept inside this settings block)

CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUES = [Queue("default"), Queue("send"), Queue("print")]
CELERY_TASK_ROUTES = {
    "printing.print_run_render*": {"queue": "print"},
    "printing.render_print_run*": {"queue": "print"},
    "newsletters.campaign_send_chunk": {"queue": "send"},
    "newsletters.campaign_write_deliveries": {"queue": "send"},
    "newsletters.subscriber_sign_up": {"queue": "send"},
    "newsletters.subscriber_welcome_send": {"queue": "send"},
    "engagement.press_release_email_media_contacts": {"queue": "send"},
    "engagement.stakeholder_alert_email*": {"queue": "send"},
    "engagement.tasks.stakeholder_alert_email": {"queue": "send"},
    "reports.report_ready_notify*": {"queue": "send"},
    # Hand-off notices: a campaign's or a release's sign-off, an issued report.
    "newsletters.campaign_review_notify_send": {"queue": "send"},
    "engagement.press_release_notice_send": {"queue": "send"},
    "reports.report_issued_notify_send": {"queue": "send"},
}
