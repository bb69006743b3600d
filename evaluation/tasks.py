"""The crime evaluation's Celery tasks: an import's run, and resuming runs whose worker
died. Thin: each runs the service of its name."""

from signpost.celery import task


@task("evaluation.crime_import_run", acks_late=True)
def crime_import_run(import_id: int) -> None:
    from .services import crime_import_run as run  # the service imports this module

    run(import_id=import_id)


@task("evaluation.crime_imports_resume")
def crime_imports_resume() -> None:
    from .services import crime_imports_resume as resume  # the service imports this module

    resume()
