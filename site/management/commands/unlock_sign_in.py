"""Clear the failed sign-ins of an account or a client address, so it may sign in again
now (the admin's Settings → Locked sign-ins does the same). Recorded in the audit log."""

from django.core.management.base import BaseCommand, CommandError
from signpost import sign_in


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--username", help="the account to unlock")
        parser.add_argument("--ip", dest="ip_address", help="the client address to unlock")
        parser.add_argument("--list", action="store_true", help="list what is locked out now")

    def handle(self, *args, username=None, ip_address=None, list=False, **options):
        if list:
            for row in sign_in.locked_out_attempts():
                self.stdout.write(
                    f"{row['kind']}\t{row['value']}\t{row['failures']}\t{row['last']}"
                )
            return
        if not username and not ip_address:
            raise CommandError("Give --username, --ip or both (or --list).")
        cleared = sign_in.sign_in_unlock(username=username, ip_address=ip_address)
        self.stdout.write(f"Unlocked: {cleared} failed sign-in record(s) cleared.")
