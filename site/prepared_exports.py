"""Exports too large to build within a request, prepared by a worker instead.

Production's web workers are killed after a minute (``deploy/gunicorn.conf.py``), and a
register of a million rows takes minutes to write, so the officer would get a cut-off
file. A listing's export of more than ``SIGNPOST_EXPORT_INLINE_ROWS`` rows, and a
register's that grows with the force at any size (``export_always_prepared``), is therefore
written down (``PreparedExport``: the listing's URL name and query string, so the same
filters, search and ordering) and handed to the job ledger (``signpost.jobs``); a worker
then calls the same listing view *as the requesting user*, so the rows, the columns that
user may see and the neutralised cells are exactly those of the inline export, and keeps
the file in private storage (``signpost.storage``) for ``SIGNPOST_EXPORT_KEEP_DAYS``.

The build is idempotent: a worker killed mid-export leaves nothing stored, and the job
resumed by beat writes the file again from the top, stored once under the export's own
name. The user's permission is checked when the file is built and again when it is
downloaded, and only the user who asked may download it.
"""

import datetime
import logging
import tempfile
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict
from django.urls import resolve, reverse
from django.utils import timezone
from wagtail.log_actions import log

from . import jobs, tasks
from .mail import email_send
from .models import Job, PreparedExport
from .storage import private_storage

logger = logging.getLogger(__name__)

EXPORT_REQUESTED = "signpost.export.prepare"
# Rows an export may have and still be written within the request. Measured through the
# admin (BENCHMARKS.md, "Large exports"): the slowest listing export, the stakeholder
# register in Excel, wrote 489 to 625 rows a second on a shared two-CPU machine, so 5,000
# rows take 8 to 10 s, a sixth of the minute; the subscriber register's CSV (10,000 rows a
# second and more) takes half a second.
DEFAULT_INLINE_ROWS = 5_000
# How long after asking a user is taken to be still watching "Your downloads": it reloads
# often meanwhile, and an export ready sooner is not emailed about, as the page shows it.
STILL_WATCHING = datetime.timedelta(minutes=1)
DEFAULT_KEEP_DAYS = 7
# The request attribute that tells a listing it is building a prepared export's file.
_TARGET_ATTRIBUTE = "signpost_prepared_export"


class ExportRefused(Exception):
    """The user who asked may no longer export this listing."""


def inline_rows() -> int:
    return getattr(settings, "SIGNPOST_EXPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS)


def downloads_refresh_seconds(exports) -> int | None:
    """How soon "Your downloads" reloads itself: every 2 seconds while an export asked for
    in the last minute is being prepared (a register of a few hundred rows is ready within
    seconds), every 10 while only older ones are, and not at all once none is."""
    pending = [export for export in exports if export.pending]
    if not pending:
        return None
    just_asked = timezone.now() - STILL_WATCHING
    return 2 if any(export.requested_at >= just_asked for export in pending) else 10


def keep_days() -> int:
    return getattr(settings, "SIGNPOST_EXPORT_KEEP_DAYS", DEFAULT_KEEP_DAYS)


def too_large_for_a_request(queryset) -> bool:
    """Whether an export has more rows than a request may write: a count stopped at the
    bound (``SELECT count(*) FROM (… LIMIT bound + 1)``), cheap at any size."""
    if not isinstance(queryset, QuerySet):
        return False
    bound = inline_rows()
    return queryset.order_by()[: bound + 1].count() > bound


def user_may_have(user, export: PreparedExport) -> bool:
    """The requester, still active, with admin access and any one of the permissions the
    listing asked of them when they asked."""
    if not (user.is_active and user.pk == export.user_id):
        return False
    if not user.has_perm("wagtailadmin.access_admin"):
        return False
    return not export.permissions or any(user.has_perm(p) for p in export.permissions)


class BuildTarget:
    """What a listing building a prepared export's file reports back: its rows."""

    def __init__(self):
        self.rows = 0

    def counted(self, items):
        for item in items:
            self.rows += 1
            jobs.job_heartbeat()
            yield item


def build_target(request) -> BuildTarget | None:
    """The prepared export a listing's request is building, or None for a user's own."""
    return getattr(request, _TARGET_ATTRIBUTE, None)


def prepared_export_request(
    *,
    user,
    title: str,
    url_name: str,
    url_kwargs: dict,
    path: str,
    query_string: str,
    export_format: str,
    permissions: list[str],
    filename: str,
) -> PreparedExport:
    """Write down an export to prepare and queue its build once this commits; logged in
    the audit log as the user's export."""
    with transaction.atomic():
        export = PreparedExport.objects.create(
            user=user,
            title=title[:200],
            url_name=url_name,
            url_kwargs=url_kwargs,
            path=path[:300],
            query_string=query_string,
            export_format=export_format,
            permissions=permissions,
            filename=filename[:200],
            expires_at=timezone.now() + datetime.timedelta(days=keep_days()),
        )
        log(
            instance=export,
            action=EXPORT_REQUESTED,
            user=user,
            data={"listing": url_name or path, "query": query_string, "format": export_format},
        )
        jobs.job_queue(
            tasks.prepared_export_build,
            export.pk,
            key=_job_key(export),
            label=f"Export: {export}",
        )
    return export


def _job_key(export: PreparedExport) -> str:
    return f"signpost.prepared_export_build:{export.pk}"


def _stored_name(export: PreparedExport) -> str:
    return f"exports/{export.pk}/{export.filename}"


def _listing_request(export: PreparedExport, target: BuildTarget) -> HttpRequest:
    """The listing's export request as its user made it, for the view to answer."""
    request = HttpRequest()
    request.method = "GET"
    # By its name, so an export asked for before the listing moved still finds it.
    path = reverse(export.url_name, kwargs=export.url_kwargs) if export.url_name else export.path
    request.path = request.path_info = path
    request.GET = QueryDict(export.query_string)
    # The admin's own address, which ALLOWED_HOSTS accepts, should a column build a link.
    admin = urlsplit(getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://localhost")
    request.META = {
        "QUERY_STRING": export.query_string,
        "REQUEST_METHOD": "GET",
        "HTTP_HOST": admin.netloc,
        "SERVER_NAME": admin.hostname or "localhost",
        "SERVER_PORT": str(admin.port or (443 if admin.scheme == "https" else 80)),
        "wsgi.url_scheme": admin.scheme or "http",
    }
    request.user = export.user
    request._messages = CookieStorage(request)  # a refusal's message goes nowhere
    setattr(request, _TARGET_ATTRIBUTE, target)
    return request


def _write_listing(export: PreparedExport, output) -> int:
    """Write the listing's export into ``output`` through the listing view itself; the
    number of rows written."""
    target = BuildTarget()
    request = _listing_request(export, target)
    match = resolve(request.path_info)
    request.resolver_match = match
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except PermissionDenied as refusal:
        raise ExportRefused from refusal
    if response.status_code != 200:
        raise ExportRefused(f"The listing answered {response.status_code}.")
    try:
        for chunk in response.streaming_content:
            output.write(chunk.encode() if isinstance(chunk, str) else chunk)
    finally:
        # Not ``response.close()``: that signals the end of a request, and Django then
        # closes this worker's database connection.
        if getattr(response, "file_to_stream", None) is not None:
            response.file_to_stream.close()
    return target.rows


def prepared_export_build(*, export_id: int) -> PreparedExport | None:
    """Build an export's file and store it privately, or mark it failed with a reason the
    user can act on. Safe to run again: a ready or failed export is left as it is, and a
    build cut off part-way is done again from the top and stored once."""
    export = PreparedExport.objects.select_related("user").filter(pk=export_id).first()
    if export is None or not export.pending:
        return export
    PreparedExport.objects.filter(pk=export.pk, status__in=_PENDING).update(
        status=PreparedExport.Status.RUNNING
    )
    storage = private_storage()
    name = _stored_name(export)
    try:
        if not user_may_have(export.user, export):
            raise ExportRefused
        with tempfile.TemporaryFile() as output:
            rows = _write_listing(export, output)
            output.seek(0)
            # Left by a build that died after storing and before saying so.
            storage.delete(name)
            saved = storage.save(name, File(output, name=export.filename))
    except Exception as error:
        if jobs.is_transient(error):
            raise  # the job stays running, and beat resumes it from the top
        if isinstance(error, ExportRefused):
            reason = "You no longer have permission to export this listing."
        else:
            logger.exception("Preparing export %s failed", export.pk)
            reason = (
                "The export could not be prepared because of a fault on the server; try "
                "again, and tell an administrator if it fails again."
            )
        storage.delete(name)
        _finish(export, status=PreparedExport.Status.FAILED, error=reason)
        return export
    if not _finish(export, status=PreparedExport.Status.READY, file=saved, row_count=rows):
        storage.delete(saved)  # finished meanwhile by another delivery
    _notify(export)
    return export


_PENDING = [PreparedExport.Status.QUEUED, PreparedExport.Status.RUNNING]


def _finish(export: PreparedExport, **fields) -> bool:
    finished = PreparedExport.objects.filter(pk=export.pk, status__in=_PENDING).update(
        finished_at=timezone.now(), **fields
    )
    export.refresh_from_db()
    return bool(finished)


def _notify(export: PreparedExport) -> None:
    """An email saying the file is ready, with a link to the downloads page and none of
    the file's data; only for an export ready more than ``STILL_WATCHING`` after it was
    asked for, as the user who asked for a short one is still watching its page."""
    if not export.user.email or export.status != PreparedExport.Status.READY:
        return
    if export.finished_at - export.requested_at < STILL_WATCHING:
        return
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "").rstrip("/")
    email_send(
        to=[export.user.email],
        subject=f"Your export is ready: {export.title}",
        text=(
            f"The export you asked for ({export}) is ready to download until "
            f"{timezone.localtime(export.expires_at):%d %B %Y}:\n\n"
            f"{base}{reverse('signpost_downloads')}\n"
        ),
        tags=["prepared-export"],
    )


def prepared_exports_for(user) -> QuerySet:
    """The user's exports not yet expired, newest first."""
    return PreparedExport.objects.filter(user=user, expires_at__gt=timezone.now())


GAVE_UP = (
    "The export could not be prepared: the server stopped part-way too many times. Try "
    "again, and tell an administrator if it fails again."
)


def prepared_exports_delete_expired(*, now=None) -> int:
    """Delete expired exports and their files, and mark failed the exports whose job the
    ledger gave up on (its worker died ``MAX_ATTEMPTS`` times), so none shows as being
    prepared for ever. Returns how many were deleted."""
    now = now or timezone.now()
    for export in PreparedExport.objects.filter(status__in=_PENDING):
        key = _job_key(export)
        job_states = set(Job.objects.filter(key=key).values_list("state", flat=True))
        if job_states == {Job.State.FAILED}:
            _finish(export, status=PreparedExport.Status.FAILED, error=GAVE_UP)
    storage = private_storage()
    expired = list(PreparedExport.objects.filter(expires_at__lte=now))
    for export in expired:
        if export.file:
            storage.delete(export.file.name)
        storage.delete(_stored_name(export))
    PreparedExport.objects.filter(pk__in=[e.pk for e in expired]).delete()
    return len(expired)
