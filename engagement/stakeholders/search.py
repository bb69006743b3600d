"""Keeping the stakeholder register's search index up to date, one save at a time or, for
an import, in one bulk write at the end.

Wagtail's own signal handler indexes each save at once, and the database search backend
then recomputes title norms over the whole index: fine for one save, the larger part of
an import's time for hundreds. ``Stakeholder.search_auto_update`` is off, and these
receivers do the same work, except inside ``stakeholder_index_deferred()``, where saves
are collected (per thread or task, through a context variable) and indexed together.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from modelsearch.backends import get_search_backends
from modelsearch.index import remove_object
from modelsearch.signal_handlers import post_save_signal_handler

from .models import Stakeholder

_deferred: ContextVar[list | None] = ContextVar("stakeholder_index_deferred", default=None)


def on_stakeholder_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.append(instance.pk)
    else:
        post_save_signal_handler(instance, raw=raw, **kwargs)


def on_stakeholder_deleted(sender, instance, **kwargs):
    remove_object(instance)


@contextmanager
def stakeholder_index_deferred():
    """Index the stakeholders saved inside the block in one bulk write when it ends
    without an error. Use it inside the transaction that saves them, so that with the
    database backend the index entries commit or roll back with the rows."""
    pending: list = []
    token = _deferred.set(pending)
    try:
        yield
    finally:
        _deferred.reset(token)
    if pending:
        saved = list(Stakeholder.objects.filter(pk__in=set(pending)))
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(Stakeholder, saved)
