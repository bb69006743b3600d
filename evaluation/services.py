"""Writes of the crime evaluation: importing police.uk street files, and drawing areas.

An import is checked whole first (every row of every street file, streamed), so a file
with a bad row stores nothing and says which line. Then each force-month is written
beside the month it replaces, a batch at a time, and swapped in by one short transaction:
analyses only ever count live months, whole. The run holds a lease on its import; a run
whose worker died is resumed (``crime_imports_resume``, by beat), skips the months it had
swapped in and throws away the one it was writing.
"""

import datetime
import shutil
import tempfile
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from wagtail.log_actions import log

from . import geography, tasks
from .models import CrimeArea, CrimeImport, CrimeMonth, CrimeRecord
from .police_uk import FileProblem, Row, Source, read_rows, sources_in

Progress = Callable[[CrimeImport], None]
LOG_ACTION_IMPORT = "evaluation.crime_import.uploaded"
LOG_ACTION_RING = "evaluation.crime_area.ring_generated"
_COLUMNS = ("crime_month_id", "month", "crime_type", "longitude", "latitude", "lsoa_code")


class LeaseLost(Exception):
    """Another run has taken the import over (this one was thought dead)."""


# --- Starting and resuming ---------------------------------------------------------------


def crime_import_create(*, upload, user) -> CrimeImport:
    """Store an uploaded CSV or zip and queue its import."""
    crime_import = CrimeImport(file_name=Path(upload.name).name[:255], created_by=user)
    crime_import.file.save(f"{uuid.uuid4().hex}-{crime_import.file_name}", upload, save=False)
    crime_import.save()
    log(
        instance=crime_import,
        action=LOG_ACTION_IMPORT,
        user=user,
        data={"file": crime_import.file_name, "bytes": upload.size},
    )
    transaction.on_commit(lambda: tasks.crime_import_run.delay(crime_import.pk))
    return crime_import


def crime_imports_resume(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again every unfinished import whose run has been silent longer than the
    lease (its worker died, or its message was lost): the run picks up where it was."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.SIGNPOST_CRIME_IMPORT_LEASE_SECONDS)
    ids = list(
        CrimeImport.objects.exclude(status__in=CrimeImport.FINISHED)
        .exclude(file="")
        .filter(Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale))
        .values_list("pk", flat=True)
    )
    for pk in ids:
        transaction.on_commit(lambda pk=pk: tasks.crime_import_run.delay(pk))
    # Uploads of finished imports whose worker died before removing them.
    for finished in CrimeImport.objects.filter(
        status__in=CrimeImport.FINISHED, finished_at__lt=stale
    ).exclude(file=""):
        _upload_remove(finished)
    return ids


def _upload_remove(crime_import: CrimeImport) -> None:
    crime_import.file.delete(save=False)
    CrimeImport.objects.filter(pk=crime_import.pk).update(file="")


def _claim(crime_import: CrimeImport) -> str | None:
    """Take the import's lease: free, or silent for longer than the lease."""
    token = uuid.uuid4().hex
    stale = timezone.now() - datetime.timedelta(
        seconds=settings.SIGNPOST_CRIME_IMPORT_LEASE_SECONDS
    )
    taken = (
        CrimeImport.objects.filter(pk=crime_import.pk)
        .exclude(status__in=CrimeImport.FINISHED)
        .filter(Q(runner="") | Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True))
        .update(runner=token, heartbeat_at=timezone.now())
    )
    if not taken:
        return None
    CrimeImport.objects.filter(pk=crime_import.pk).update(attempts=F("attempts") + 1)
    crime_import.refresh_from_db(fields=["attempts"])
    if crime_import.attempts > CrimeImport.MAX_ATTEMPTS:
        _set(
            crime_import,
            token,
            status=CrimeImport.FAILED,
            problem=f"Stopped after {CrimeImport.MAX_ATTEMPTS} attempts. {crime_import.problem}".strip()
            + " The months listed below are complete; import the file again for the rest.",
            finished_at=timezone.now(),
            runner="",
        )
        return None
    return token


def crime_import_run(*, import_id: int) -> None:
    """The import's task: run an uploaded file through ``crime_import_execute``. A second
    copy of the task, while the first still holds the lease, does nothing."""
    crime_import = CrimeImport.objects.filter(pk=import_id).first()
    if crime_import is None or crime_import.status in CrimeImport.FINISHED:
        return
    token = _claim(crime_import)
    if token is None:
        return
    crime_import.refresh_from_db()
    with _local_copy(crime_import) as path:
        crime_import_execute(
            crime_import=crime_import, paths=[path], token=token, names=[crime_import.file_name]
        )
    if crime_import.status in CrimeImport.FINISHED:
        _upload_remove(crime_import)


@contextmanager
def _local_copy(crime_import: CrimeImport):
    """The upload as a file on this machine, whatever the storage (zip files need to seek)."""
    with tempfile.TemporaryDirectory(prefix="signpost-crime-") as folder:
        path = Path(folder) / "upload"
        with crime_import.file.open("rb") as stored, open(path, "wb") as local:
            shutil.copyfileobj(stored, local, 1024 * 1024)
        yield str(path)


# --- The import itself -------------------------------------------------------------------


def crime_import_execute(
    *,
    crime_import: CrimeImport,
    paths: list[str],
    names: list[str] | None = None,
    token: str | None = None,
    progress: Progress | None = None,
) -> CrimeImport:
    """Check, then load, the street files in ``paths`` (CSVs or zips) for ``crime_import``.
    A problem found while checking refuses the whole import, storing nothing; after
    that, each force-month is swapped in whole. Used by the task and by
    ``manage.py import_police_crime``."""
    names = names or [Path(p).name for p in paths]
    if token is None:
        token = _claim(crime_import)
        if token is None:
            raise LeaseLost(f"Import {crime_import.pk} is being run elsewhere.")
    report = progress or (lambda _import: None)
    try:
        _set(crime_import, token, status=CrimeImport.CHECKING)
        sources, skipped, rows_by_source = _check(crime_import, paths, names, token, report)
        done = set(crime_import.files_done)
        _set(
            crime_import,
            token,
            status=CrimeImport.LOADING,
            files_skipped=skipped,
            rows_total=sum(rows_by_source.values()),
            rows_done=sum(n for name, n in rows_by_source.items() if name in done),
        )
        report(crime_import)
        for source in sources:
            if source.name not in done:
                _load(crime_import, source, token, report)
        _set(crime_import, token, status=CrimeImport.DONE, finished_at=timezone.now(), runner="")
    except FileProblem as problem:
        _set(
            crime_import,
            token,
            status=CrimeImport.FAILED,
            problem=f"{problem} Nothing was imported from this file.",
            finished_at=timezone.now(),
            runner="",
        )
    except LeaseLost:
        raise
    except Exception as error:
        # Not the file's fault: throw away the month being written, say what happened,
        # and leave the lease to lapse so the run is tried again.
        _discard_loading(crime_import)
        CrimeImport.objects.filter(pk=crime_import.pk, runner=token).update(
            problem=f"The last attempt failed: {type(error).__name__}: {error}"[:2000]
        )
        raise
    report(crime_import)
    return crime_import


def _discard_loading(crime_import: CrimeImport, source: str | None = None) -> None:
    """Months this import was writing and had not swapped in."""
    loading = CrimeMonth.objects.filter(crime_import=crime_import, status=CrimeMonth.LOADING)
    if source is not None:
        loading = loading.filter(source=source)
    CrimeRecord.objects.filter(crime_month__in=loading).delete()
    loading.delete()


def _set(crime_import: CrimeImport, token: str, **fields) -> None:
    """Save fields of the import, and renew the lease, if this run still holds it."""
    fields["heartbeat_at"] = timezone.now()
    updated = CrimeImport.objects.filter(pk=crime_import.pk, runner=token).update(**fields)
    if not updated:
        raise LeaseLost(f"Import {crime_import.pk} was taken over by another run.")
    for name, value in fields.items():
        setattr(crime_import, name, value)


def _check(crime_import, paths, names, token, report):
    """Every street file read through once: the header, every row, one force-month per
    file and no force-month twice. Returns the sources, the files left alone and each
    source's row count."""
    sources, skipped = [], []
    for path, name in zip(paths, names, strict=True):
        found, left = sources_in(path, display_name=name)
        if len(paths) > 1:
            found = [
                Source(
                    path=s.path, name=f"{name}: {s.name}" if s.member else s.name, member=s.member
                )
                for s in found
            ]
        sources += found
        skipped += left
    rows_by_source, seen = {}, {}
    for source in sources:
        count, first = 0, None
        for row in read_rows(source):
            first = first or row
            count += 1
            if count % 50_000 == 0:
                _set(crime_import, token, rows_done=count)
                report(crime_import)
        if first is None:
            raise FileProblem(f"{source.name}: the file has a header but no rows.")
        key = (first.reported_by, first.month)
        if key in seen:
            raise FileProblem(
                f"{source.name}: {first.reported_by}, {first.month:%Y-%m} is also in "
                f"{seen[key]}; import a force's month once."
            )
        seen[key] = source.name
        rows_by_source[source.name] = count
    return sources, skipped, rows_by_source


def _load(crime_import: CrimeImport, source: Source, token: str, report: Progress) -> None:
    """One force-month: written beside the live one, then swapped in."""
    # What a run that died here left behind is thrown away first.
    _discard_loading(crime_import, source.name)

    rows = read_rows(source)
    first = next(rows)
    crime_month = CrimeMonth.objects.create(
        crime_import=crime_import,
        source=source.name,
        reported_by=first.reported_by,
        month=first.month,
    )
    batch_size = settings.SIGNPOST_CRIME_IMPORT_BATCH_ROWS
    batch, written = [first], 0
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            written += _write(crime_month, batch)
            batch = []
            _progress(crime_import, token, batch_size)
            report(crime_import)
    if batch:
        written += _write(crime_month, batch)
        _progress(crime_import, token, len(batch))

    with transaction.atomic():
        held = CrimeImport.objects.select_for_update().filter(pk=crime_import.pk, runner=token)
        if not held.exists():
            raise LeaseLost(f"Import {crime_import.pk} was taken over by another run.")
        replaced = CrimeMonth.objects.select_for_update().filter(
            reported_by=crime_month.reported_by, month=crime_month.month, status=CrimeMonth.LIVE
        )
        CrimeRecord.objects.filter(crime_month__in=replaced).delete()
        replaced.delete()
        CrimeMonth.objects.filter(pk=crime_month.pk).update(
            status=CrimeMonth.LIVE, row_count=written, loaded_at=timezone.now()
        )
        crime_import.files_done = [*crime_import.files_done, source.name]
        _set(
            crime_import,
            token,
            files_done=crime_import.files_done,
            months_loaded=F("months_loaded") + 1,
        )
    crime_import.refresh_from_db(fields=["months_loaded", "rows_done"])
    report(crime_import)


def _progress(crime_import: CrimeImport, token: str, rows: int) -> None:
    _set(crime_import, token, rows_done=F("rows_done") + rows)
    crime_import.refresh_from_db(fields=["rows_done"])


def _write(crime_month: CrimeMonth, batch: list[Row]) -> int:
    """One batch of rows, by binary COPY on PostgreSQL (several times faster than
    INSERT) and by a bulk insert elsewhere."""
    values = [
        (crime_month.pk, r.month, r.crime_type, r.longitude, r.latitude, r.lsoa_code) for r in batch
    ]
    if connection.vendor == "postgresql":
        table = CrimeRecord._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN (FORMAT BINARY)") as copy,
        ):
            copy.set_types(["int8", "date", "text", "float8", "float8", "text"])
            for value in values:
                copy.write_row(value)
    else:
        CrimeRecord.objects.bulk_create(
            [CrimeRecord(**dict(zip(_COLUMNS, value, strict=True))) for value in values]
        )
    return len(values)


# --- Areas -------------------------------------------------------------------------------


def crime_area_ring_create(
    *, around: CrimeArea, width_m: int, name: str = "", user=None
) -> CrimeArea:
    """A buffer: the ring of ``width_m`` metres around an area's boundary (the area left
    out), as a new area. Needs the area to have a boundary."""
    if not around.boundary.strip():
        raise geography.BoundaryProblem(
            f"{around.name} has no boundary: draw one (or paste GeoJSON) before generating a ring."
        )
    ring = geography.ring_around(geography.boundary_parse(around.boundary), width_m)
    area = CrimeArea(
        name=name or around.ring_name(width_m),
        boundary=geography.boundary_dump(ring),
        buffer_of=around,
        buffer_width_m=width_m,
        notes=f"A ring {width_m} m wide around {around.name}, generated by Signpost.",
    )
    area.full_clean()
    area.save()
    log(
        instance=area,
        action=LOG_ACTION_RING,
        user=user,
        data={"around": around.name, "width_m": width_m},
    )
    return area
