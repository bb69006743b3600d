"""Signpost project package (installed as ``signpost``; the folder is ``site/``)."""

from .celery import app as celery_app

# The release, as in pyproject.toml and CHANGELOG.md (backups record it).
__version__ = "1.0.0"

__all__ = ["__version__", "celery_app"]
