"""Signpost project package (installed as ``signpost``; the folder is ``site/``)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
