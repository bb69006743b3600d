"""Remove a user's authenticator app and recovery codes (a lost phone): they set up a new
one at their next sign-in. Recorded in the audit log."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from signpost import sign_in


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account has the username {username!r}.")
        sign_in.second_factor_reset(user=user)
        self.stdout.write(f"{username} will set up a new second factor at their next sign-in.")
