"""Wagtail's database search backend (PostgreSQL's full text search, SQLite's FTS5),
with every query reduced to plain words first.

A resident's or officer's search box takes anything: a lone ``"`` reaches SQLite's FTS5
as an unterminated string, brackets and ``NEAR(`` as its syntax, and the database
answers with an error (a 500). Search here means words, so punctuation other than an
apostrophe or hyphen inside a word becomes a space, on every database, for the public
search and each admin search, listing and chooser alike.
"""

import copy
import re

from django.db import connection
from wagtail.search.backends.database import SearchBackend as database_backend
from wagtail.search.query import MATCH_NONE

# Anything but letters, digits, an apostrophe or a hyphen inside a word.
_NOT_WORDS = re.compile(r"[^\w'\-]+|(?<!\w)['\-]+|['\-]+(?!\w)")
MAX_QUERY_LENGTH = 200


def search_words(text: str) -> str:
    """The words of a search, without the punctuation a search syntax could read."""
    text = text.replace("\x00", " ")[:MAX_QUERY_LENGTH]
    return " ".join(_NOT_WORDS.sub(" ", text).split())


def _clean(query):
    """A query string, or a parsed query (plain text, phrases, their combinations), with
    each string reduced to words; one with no words left matches nothing."""
    if isinstance(query, str):
        return search_words(query) or MATCH_NONE
    cleaned = copy.copy(query)
    if isinstance(getattr(query, "query_string", None), str):
        cleaned.query_string = search_words(query.query_string)
        if not cleaned.query_string:
            return MATCH_NONE
    if getattr(query, "subqueries", None) is not None:
        cleaned.subqueries = [_clean(sub) for sub in query.subqueries]
    if getattr(query, "subquery", None) is not None:
        cleaned.subquery = _clean(query.subquery)
    return cleaned


class _WordsOnly:
    def _search(self, query_compiler_class, query, model_or_queryset, **kwargs):
        if connection.vendor == "sqlite" and kwargs.get("fields"):
            # SQLite's FTS5 index has no column per field (a listing's ``search_fields``
            # named as a column is an error): search the model's indexed fields instead.
            kwargs["fields"] = None
        return super()._search(query_compiler_class, _clean(query), model_or_queryset, **kwargs)


def SearchBackend(params):  # noqa: N802 (the name Wagtail looks for in a backend module)
    backend = database_backend(params)
    backend.__class__ = type(
        f"WordsOnly{backend.__class__.__name__}", (_WordsOnly, backend.__class__), {}
    )
    return backend
