"""The crime evaluation's Celery tasks: an import's run, and resuming runs whose worker
died. Thin: each runs the service of its name. Both keep out of the job ledger
(``signpost.jobs``): an import holds a lease of its own, which its resume reads, and beat
runs the resume every minute anyway."""

from signpost.celery import task


@task("evaluation.crime_import_run", ledger=False, acks_late=True)
def crime_import_run(import_id: int) -> None:
    from .services import crime_import_run as run  # the service imports this module

    run(import_id=import_id)


@task("evaluation.crime_imports_resume", ledger=False)
def crime_imports_resume() -> None:
    from .services import crime_imports_resume as resume  # the service imports this module

    resume()
