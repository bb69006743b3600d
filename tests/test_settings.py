"""Settings read the environment; production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "signpost.settings.production",
    "SECRET_KEY": "x" * 64 + "-production-secret-from-the-environment",
    "ALLOWED_HOSTS": "signpost.example.org",
    "SIGNPOST_BASE_URL": "https://signpost.example.org",
    "DATABASE_URL": "sqlite:////tmp/signpost-production-check.sqlite3",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
    "MAILGUN_API_KEY": "key-test",
    "MAILGUN_SENDER_DOMAIN": "mg.signpost.example.org",
    "MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key-test",
    "ANYMAIL_WEBHOOK_SECRET": "hook:secret",
    "DEFAULT_FROM_EMAIL": "Safer Harbridge <updates@signpost.example.org>",
}


def run_manage(*args, env):
    # The browser tests allow async-unsafe ORM calls in their own process only.
    dropped = {*PRODUCTION_ENV, "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    [
        "SECRET_KEY",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "MAILGUN_API_KEY",
        "ANYMAIL_WEBHOOK_SECRET",
        "SIGNPOST_BASE_URL",
    ],
)
def test_production_refuses_to_start_without_a_required_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"Set the {missing} environment variable." in result.stderr


def test_production_refuses_an_unknown_esp():
    result = run_manage("check", env={**PRODUCTION_ENV, "SIGNPOST_ESP": "carrier-pigeon"})
    assert result.returncode != 0
    assert "SIGNPOST_ESP" in result.stderr


def test_development_defaults_need_no_services(tmp_path):
    """The embedded default: SQLite with write-ahead logging, tasks through kombu's
    filesystem transport to a real worker (not in-process), mail to the file mailbox."""
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='signpost.settings.dev'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND,"
        " s.CELERY_BROKER_URL, s.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'],"
        " s.DATABASES['default']['OPTIONS']['transaction_mode']);"
        "from django.db import connection; c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND")
    }
    env["SIGNPOST_VAR_DIR"] = str(tmp_path)
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/db.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "No hostname was supplied" not in result.stderr
    engine, eager, backend, broker, queue, transaction_mode, journal, busy = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert eager == "False"
    assert backend == "signpost.dev_mail.EmailBackend"
    assert broker.startswith("filesystem://")
    assert queue == str(tmp_path / "broker" / "queue")
    assert (tmp_path / "broker" / "queue").is_dir()
    assert transaction_mode == "IMMEDIATE"
    assert (journal, busy) == ("wal", "30000")


def test_database_and_broker_come_from_the_environment():
    code = (
        "import django, os; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.CELERY_BROKER_URL, s.CELERY_TASK_ALWAYS_EAGER)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "signpost.settings.dev",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/signpost_elsewhere",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "signpost_elsewhere",
        "redis://127.0.0.1:6379/3",
        "False",
    ]


@pytest.mark.parametrize(
    ("module", "proxies"), [("signpost.settings.production", "1"), ("signpost.settings.dev", "0")]
)
def test_every_settings_module_hardens_the_web_side(module, proxies):
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SIGNPOST_TRUSTED_PROXY_COUNT, s.WAGTAIL_ENABLE_UPDATE_CHECK,"
        " 'signpost.content_security.SignpostCSPMiddleware' in s.MIDDLEWARE,"
        " 'svg' in s.WAGTAILIMAGES_EXTENSIONS)"
    )
    dropped = {*PRODUCTION_ENV, "DATABASE_URL", "SIGNPOST_TRUSTED_PROXY_COUNT"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update({**PRODUCTION_ENV, "DJANGO_SETTINGS_MODULE": module})
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [proxies, "False", "True", "False"]
