"""Where private files live: household leaflet PDFs (each household's single-use code)
and progress reports. They are written to the ``private`` storage (``STORAGES``), never
to the public media storage, and reach a browser only through a view that checks the
user's permission first (``printing.views.print_run_download``, ``reports.views``).

Any storage an operator chooses works (a folder, an S3 bucket without public access):
set ``STORAGES["private"]``; files are read through the storage, never by address.
"""

from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.utils.functional import LazyObject, empty


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside ``MEDIA_ROOT`` with no public address: ``url()`` refuses, so a
    template or view can never link a private file past its permission check."""

    def url(self, name):
        raise ValueError("Private files have no public address; serve them through a view.")


class _PrivateStorage(LazyObject):
    """``STORAGES["private"]``, looked up when first used (and again after the setting
    changes), as Django's ``default_storage`` is."""

    def _setup(self):
        self._wrapped = storages["private"]


_private = _PrivateStorage()


def _forget_private_storage(*, setting, **kwargs):
    if setting == "STORAGES":
        _private._wrapped = empty


setting_changed.connect(_forget_private_storage, dispatch_uid="signpost-private-storage")


def private_storage():
    """The storage of private files, for ``FileField(storage=private_storage)``."""
    return _private


def files_move_to_private(model, field: str = "pdf") -> int:
    """Move a model's files written before private storage from the public media storage
    to the private one (a data migration's step). Returns how many moved."""
    from django.core.files.storage import default_storage  # read when migrating

    private = storages["private"]
    moved = 0
    for row in model.objects.exclude(**{field: ""}).only("pk", field):
        name = getattr(row, field).name
        if not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as handle:
            saved = private.save(name, handle)
        model.objects.filter(pk=row.pk).update(**{field: saved})
        default_storage.delete(name)
        moved += 1
    return moved
