from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from signpost.demo import Demo, mail_unsent
from wagtail.utils.apps import get_app_submodules


class Command(BaseCommand):
    help = "Build (or bring up to date) a fictional initiative for demonstration and development."

    def add_arguments(self, parser):
        parser.add_argument(
            "--print-users", action="store_true", help="List the demo accounts afterwards."
        )

    def handle(self, *args, print_users=False, **options):
        if not settings.DEBUG and not getattr(settings, "SIGNPOST_ALLOW_DEMO_DATA", False):
            raise CommandError(
                "Demo data has well-known passwords; load it only in development (DEBUG on)."
            )
        demo = Demo()
        # Loading records the demo's history; it sends no email, then or later.
        with mail_unsent(), transaction.atomic():
            # Each installed app's demo.py, in INSTALLED_APPS order (an app's demo builds
            # on the ones before it).
            for _app, module in get_app_submodules("demo"):
                module.load(demo)
        for line in demo.log:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        if print_users:
            self.stdout.write("\nDemo accounts (development only):")
            self.stdout.write(f"  {'username':<15} {'password':<24} role")
            for username, password, role in demo.accounts:
                self.stdout.write(f"  {username:<15} {password:<24} {role}")
