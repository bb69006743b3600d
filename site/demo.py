"""Demo data for the project package: the initiative, its users and its home page.

``manage.py load_demo_data`` runs each app's ``demo.load(demo)`` in turn (this one first);
every step is idempotent, so the command can run again on an existing database.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Site

from . import roles
from .models import HomePage, InitiativeSettings

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
    site.hostname, site.port = base.hostname, base.port or (443 if base.scheme == "https" else 80)
    site.site_name = f"Safer {TOWN}"
    site.save()
    home = site.root_page.specific
    if isinstance(home, HomePage):
        home.title = f"Safer {TOWN}"
        home.introduction = (
            f"Police, the council and local services are working together to close down drug "
            f"dealing in {TOWN} and help people who use drugs into treatment. Here is what is "
            f"happening in your area and how you can help."
        )
        home.save_revision().publish()
    demo.home = home
    demo.site = site

    initiative = InitiativeSettings.for_site(site)
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
    demo.say(f"Initiative 'Safer {TOWN}' with {len(DEMO_USERS)} demo users")
