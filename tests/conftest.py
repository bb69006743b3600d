"""Shared fixtures. Tests that need a service carry a marker (redis, postgres, browser);
locally they skip when the service is missing, and in CI (SIGNPOST_REQUIRE_SERVICES=1)
any skipped test fails the run."""

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import translation
from signpost import roles

from tests.sign_in import password_only_login, second_factor_pass, totp_code

REQUIRE_SERVICES = os.environ.get("SIGNPOST_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("SIGNPOST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def unavailable(reason: str):
    """Skip locally; fail in CI, where every service must be present."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (SIGNPOST_REQUIRE_SERVICES=1: services are required here)")
    pytest.skip(reason)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres"):
        from django.db import connection

        if connection.vendor != "postgresql":
            unavailable("needs PostgreSQL: set DATABASE_URL=postgres://…")


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if REQUIRE_SERVICES and reporter and reporter.stats.get("skipped") and session.exitstatus == 0:
        reporter.write_line(
            f"{len(reporter.stats['skipped'])} test(s) skipped; a skipped test fails CI.", red=True
        )
        session.exitstatus = 1


# --- Users by role ---------------------------------------------------------------------


@pytest.fixture
def make_user(db, django_user_model):
    def make(role: str | None = None, username: str | None = None, **extra):
        username = username or (role or "superuser").lower().replace(" ", "-")
        user = django_user_model.objects.create_user(
            username=username,
            email=f"{username}@example.org",
            password="correct-horse-battery",
            first_name=extra.pop("first_name", username.title()),
            last_name=extra.pop("last_name", "Tester"),
            is_superuser=role is None,
            is_staff=role is None,
            **extra,
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture(autouse=True)
def _site_language_after_each_test():
    """A request under /cy/ or /ur/ leaves its language active in the thread; the next
    test starts in the site's default, as every request and task in production does."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    """``client.force_login(user)`` stands for a user fully signed in: password and second
    factor (an authenticator app is set up for them). Tests of the sign-in itself go
    through the real views, or use ``tests.sign_in.password_only_login``."""

    def force_login(client, user, backend=None):
        password_only_login(client, user, backend)
        second_factor_pass(client, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def comms_officer(make_user):
    return make_user(roles.COMMUNICATIONS_OFFICER)


@pytest.fixture
def approver(make_user):
    return make_user(roles.APPROVER)


@pytest.fixture
def neighbourhood_officer(make_user):
    return make_user(roles.NEIGHBOURHOOD_TEAM)


@pytest.fixture
def analyst(make_user):
    return make_user(roles.ANALYST)


@pytest.fixture
def partner_viewer(make_user):
    return make_user(roles.PARTNER_VIEWER)


@pytest.fixture
def superuser(make_user):
    return make_user(None, username="admin")


# --- Services --------------------------------------------------------------------------


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def redis_url():
    """A Redis database for tests that need a real broker (REDIS_TEST_URL, default db 15)."""
    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")
    parts = urlsplit(url)
    if not _port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        unavailable(f"needs Redis at {url}")
    return url


# --- Browser ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        unavailable(f"needs Debian's chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("needs the playwright package")
    # Playwright runs an event loop in this thread; Django's ORM calls from tests are
    # still synchronous, so allow them.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def ensure_migrated_data():
    """Put back what migrations made and a live-server test's flush may have removed: the
    default locale, the root collection, the page tree's root and home page, the default
    site, and the role groups with their permissions (page permissions hang from the root
    page, so last).
    Returns the home page."""
    from django.apps import apps
    from django.conf import settings
    from signpost.models import HomePage
    from signpost.roles import sync_roles
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page, Site

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or Page.add_root(instance=Page(title="Root"))
        home = root.add_child(instance=HomePage(title="Home", slug="home"))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home},
        )
    sync_roles(apps)
    return home


@pytest.fixture
def live_site(transactional_db, django_db_serialized_rollback, live_server):
    """A live server whose database has what migrations made (roles, home page), even
    after an earlier live-server test emptied it."""
    ensure_migrated_data()
    return live_server


def _watch_content_security(page) -> list[str]:
    """Chromium reports each thing the Content-Security-Policy blocked on the console;
    every browser test fails if anything on its pages was."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return blocked


@pytest.fixture
def page(browser, live_site):
    context = browser.new_context(base_url=live_site.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = _watch_content_security(page)
    yield page
    context.close()
    assert blocked == [], "blocked by the Content-Security-Policy"


@pytest.fixture
def phone_page(browser, live_site):
    """A small phone: 360 × 640 CSS pixels, touch."""
    context = browser.new_context(
        base_url=live_site.url,
        viewport={"width": 360, "height": 640},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    blocked = _watch_content_security(page)
    yield page
    context.close()
    assert blocked == [], "blocked by the Content-Security-Policy"


@pytest.fixture
def admin_login():
    """Log a user in through the real Wagtail login form and the second-factor step, with
    an authenticator app set up for them beforehand."""

    def login(page, user, password="correct-horse-battery"):
        device = second_factor_pass(None, user)
        page.goto("/admin/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/login/second-factor/**")
        page.get_by_label("Code").fill(totp_code(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/admin/")

    return login


@pytest.fixture(autouse=True)
def _anymail_test_backend(settings):
    """Django's test set-up swaps in the locmem mail backend; put back the test settings'
    anymail test backend, as production sends through anymail, so every test sees the ESP
    parameters (merge data, headers, tags, metadata) of what leaves."""
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture(autouse=True)
def _fresh_private_storage():
    """The tests' private storage is in memory, and a file is stored under its row's id
    (``exports/<pk>/``), which a test database gives again from 1: each test starts with
    an empty private storage, so no file of another test's stands in its folders."""
    from django.core.files.storage import storages
    from django.utils.functional import empty
    from signpost import storage

    storages._storages.pop("private", None)
    storage._private._wrapped = empty


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    """Live-server tests empty the database and restore it; caches kept in this process
    (content types, Wagtail's site root paths, rate-limit counters) must not outlive that."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from signpost.translated import locale_codes_drop

    ContentType.objects.clear_cache()
    cache.clear()
    locale_codes_drop()
    yield
    ContentType.objects.clear_cache()
    locale_codes_drop()
