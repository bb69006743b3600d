from django.core.management.base import BaseCommand, CommandError

from evaluation.models import CrimeImport
from evaluation.services import crime_import_execute


class Command(BaseCommand):
    help = (
        "Import police.uk street-level crime files (YYYY-MM-<force>-street.csv, or the zip "
        "of month folders from data.police.uk). Every file is checked before anything is "
        "stored; re-importing a force's month replaces it."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, files, **options):
        crime_import = CrimeImport.objects.create(file_name=", ".join(files)[:255])
        last = {"percent": -1}

        def progress(current):
            if current.status == CrimeImport.LOADING and current.percent // 10 > last["percent"]:
                last["percent"] = current.percent // 10
                self.stdout.write(
                    f"  {current.rows_done:,} of {current.rows_total:,} rows "
                    f"({current.percent}%), {current.months_loaded} months swapped in"
                )

        try:
            crime_import_execute(crime_import=crime_import, paths=files, progress=progress)
        except FileNotFoundError as error:
            CrimeImport.objects.filter(pk=crime_import.pk).update(
                status=CrimeImport.FAILED, problem=str(error), runner=""
            )
            raise CommandError(str(error)) from None
        if crime_import.status == CrimeImport.FAILED:
            raise CommandError(crime_import.problem)
        for name in crime_import.files_skipped:
            self.stdout.write(f"  left alone (not a street file): {name}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {crime_import.rows_total:,} rows: "
                f"{crime_import.months_loaded} force-months."
            )
        )
