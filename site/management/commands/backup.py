"""Back up the database and the media files together into one archive (encrypted when
SIGNPOST_BACKUP_KEY is set), and optionally delete archives older than --keep-days.
docs/operations.md, "Backups"."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from signpost import backups


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--to", dest="directory", default="backups", help="folder for the archive"
        )
        parser.add_argument(
            "--keep-days",
            type=int,
            help="then delete this folder's archives older than this many days",
        )
        parser.add_argument(
            "--new-key", action="store_true", help="print a new SIGNPOST_BACKUP_KEY and stop"
        )

    def handle(self, *args, directory, keep_days=None, new_key=False, **options):
        if new_key:
            self.stdout.write(backups.backup_key_new())
            return
        key = backups.backup_key()
        try:
            archive = backups.backup_create(Path(directory), key=key)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        encrypted = "encrypted" if key else "not encrypted (SIGNPOST_BACKUP_KEY unset)"
        self.stdout.write(
            f"Backup written: {archive} ({archive.stat().st_size} bytes, {encrypted})"
        )
        if keep_days is not None:
            for path in backups.backups_prune(Path(directory), keep_days=keep_days):
                self.stdout.write(f"Deleted (older than {keep_days} days): {path}")
