"""Demo data for the project package: the initiative, its users and its home page.

``manage.py load_demo_data`` runs each app's ``demo.load(demo)`` in turn (this one first);
every step is idempotent, so the command can run again on an existing database.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from anymail.backends.base import AnymailBaseBackend
from anymail.backends.test import TestPayload
from anymail.message import AnymailRecipientStatus
from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test.utils import override_settings
from wagtail.models import Locale, Site

from . import roles
from .demo_translations import URDU, WELSH
from .models import HomePage, InitiativeSettings
from .page_translations import translate_page

TOWN = "Harbridge"

# Development-only accounts, printed by `make run`. Never load demo data in production.
DEMO_USERS = [
    # username, first, last, role (None: superuser), password
    ("admin", "Site", "Administrator", None, "signpost-admin"),
    ("comms", "Priya", "Shah", roles.COMMUNICATIONS_OFFICER, "signpost-comms"),
    ("approver", "Daniel", "Okafor", roles.APPROVER, "signpost-approver"),
    ("neighbourhood", "Megan", "Hughes", roles.NEIGHBOURHOOD_TEAM, "signpost-neighbourhood"),
    ("analyst", "Tom", "Brennan", roles.ANALYST, "signpost-analyst"),
    ("partner", "Aisha", "Rahman", roles.PARTNER_VIEWER, "signpost-partner"),
]


@dataclass
class Demo:
    """What earlier demo steps made, for later steps to build on."""

    users: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    operation: object = None
    home: object = None
    site: object = None
    log: list = field(default_factory=list)
    accounts: list = field(default_factory=list)

    def say(self, line: str) -> None:
        self.log.append(line)

    def account(self, user, *, password: str, role: str) -> None:
        """A demo login, for the table `make run` prints: every step that adds a user
        registers it here, so the table never leaves one out."""
        self.accounts.append((user.username, password, role))


class UnsentEmailBackend(AnymailBaseBackend):
    """Where email goes while demo data loads: nowhere. The demo's history (published
    releases, workflow steps, a drafted report) is written down as if it had happened, but
    nobody is told about it again each time `make run` starts. Each message is answered as
    an ESP would answer it ("queued"), so the code that sent it carries on as usual."""

    esp_name = "Demo data (not sent)"

    def build_message_payload(self, message, defaults):
        return TestPayload(backend=self, message=message, defaults=defaults)

    def post_to_esp(self, payload, message):
        message_id = f"<demo-{uuid.uuid4().hex}@signpost.localhost>"
        return {
            email: AnymailRecipientStatus(message_id=message_id, status="queued")
            for email in payload.recipient_emails
        }

    def parse_recipient_status(self, response, payload, message):
        return response


@contextmanager
def mail_unsent() -> Iterator[None]:
    """Load demo data without sending email: every email sent while loading (Wagtail's
    workflow notices among them) goes to ``UnsentEmailBackend``, and every background job
    queued while loading runs here, at once and under the same rule, instead of later in
    the worker, where it would send for real. Jobs mark what they did as done, so nothing is
    sent afterwards either."""
    app = current_app
    was_eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with override_settings(EMAIL_BACKEND="signpost.demo.UnsentEmailBackend"):
            yield
    finally:
        app.conf.task_always_eager = was_eager


def load(demo: Demo) -> None:
    User = get_user_model()
    for username, first, last, role, password in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@{TOWN.lower()}.example.org",
                "is_staff": role is None,
                "is_superuser": role is None,
            },
        )
        if created:
            user.set_password(password)
            user.save()
            if role:
                user.groups.set([Group.objects.get(name=role)])
        demo.users[role or "admin"] = user
        demo.account(user, password=password, role=role or "Superuser")

    site = Site.objects.get(is_default_site=True)
    base = urlsplit(settings.WAGTAILADMIN_BASE_URL)
    # The address follows the port `make run` serves on; that is configuration, not content.
    site.hostname, site.port = base.hostname, base.port or (443 if base.scheme == "https" else 80)
    home = site.root_page.specific
    # The home page comes from a migration with no revision: one without a revision has
    # never been written by this loader or anyone else, so it is ours to fill. Once it has
    # one, it is left as it is (and never published again).
    if isinstance(home, HomePage) and home.latest_revision_id is None:
        site.site_name = f"Safer {TOWN}"
        home.title = f"Safer {TOWN}"
        home.introduction = (
            f"Police, the council and local services are working together to close down drug "
            f"dealing in {TOWN} and help people who use drugs into treatment. Here is what is "
            f"happening in your area and how you can help."
        )
        home.save_revision().publish()
    site.save()
    demo.home = home
    demo.site = site
    _home_translations(home, demo)

    # The settings are filled the first time only: for_site makes the row when it is missing.
    if not InitiativeSettings.objects.filter(site=site).exists():
        _initiative_settings(InitiativeSettings.for_site(site))
    demo.say(f"Initiative 'Safer {TOWN}' with {len(DEMO_USERS)} demo users")


def _home_translations(home, demo) -> None:
    """The home page in Welsh and Urdu, first of all: other apps' translated pages go
    under these (wagtail-localize would otherwise copy the English home page as their
    parent). Create-only: a translation someone has edited is theirs."""
    for code, strings in (("cy", WELSH), ("ur", URDU)):
        locale, _ = Locale.objects.get_or_create(language_code=code)
        if home.get_translation_or_none(locale) is None:
            translate_page(home, code, strings)
            demo.say(f"Home page in {code} (/{code}/)")


def _initiative_settings(initiative) -> None:
    initiative.name = f"Safer {TOWN}"
    initiative.strapline = "Closing down drug dealing, opening up help"
    initiative.contact_email = f"safer@{TOWN.lower()}.example.org"
    initiative.contact_phone = "01632 960 123"
    initiative.postal_address = f"Community Safety Team\n{TOWN} Civic Centre\nHB1 1AA"
    initiative.report_information_text = (
        "<p>Tell us what you know. Call 101, or <b>Crimestoppers anonymously on 0800 555 111</b>: "
        "they never ask your name.</p>"
    )
    initiative.help_with_drugs_text = (
        "<p>Free, confidential help for anyone worried about their own or someone else's drug use: "
        f"{TOWN} Recovery Service, 01632 960 456.</p>"
    )
    initiative.partners = [
        ("partner", {"name": f"{TOWN} Police", "logo": None, "url": ""}),
        ("partner", {"name": f"{TOWN} Borough Council", "logo": None, "url": ""}),
        ("partner", {"name": f"{TOWN} Recovery Service", "logo": None, "url": ""}),
    ]
    initiative.save()
