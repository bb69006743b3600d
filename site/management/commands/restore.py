"""Restore a backup archive (database, media and private files) into an empty install: a
new database with no tables and an empty MEDIA_ROOT. All of the archive is read and every
part checked against its manifest before anything is loaded; then the release step brings
an older backup's schema up to date. docs/operations.md, "Restoring"."""

from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from signpost import backups


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a signpost-*.tar or signpost-*.tar.enc file")

    def handle(self, *args, archive, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No backup at {path}.")
        try:
            manifest = backups.backup_restore(path, key=backups.backup_key())
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        # A backup from an earlier release: its schema is brought up to this code's.
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} (Signpost {manifest['signpost']}): "
            f"the database, {manifest['media']['files']} media files and "
            f"{manifest.get('private', {}).get('files', 0)} private files."
        )
