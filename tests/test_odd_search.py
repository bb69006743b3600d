"""Odd search strings (quotes, operators, a lone bracket) never answer 500, on SQLite
and PostgreSQL alike: the public search and every admin search, listing and chooser."""

import pytest
from django.urls import NoReverseMatch, reverse
from wagtail.snippets.models import get_snippet_models

from tests.factories import AreaFactory, OperationFactory

pytestmark = pytest.mark.django_db

ODD = [
    "canal",
    '"',
    '""',
    "'",
    'canal"',
    "(",
    ")",
    "*",
    "-",
    "^",
    ":",
    "AND",
    "OR NOT",
    "NEAR(",
    "a:b",
    "\\",
]

ADMIN_INDEXES = [
    "wagtailadmin_pages:search",
    "wagtailadmin_choose_page_search",
    "wagtailimages:index_results",
    "wagtaildocs:index_results",
    "wagtailusers_users:index_results",
    "wagtailredirects:index_results",
    "wagtailforms:index_results",
    "newsletters_campaigns:index_results",
    "newsletters_subscribers:index_results",
    "newsletters_topics:index_results",
    "newsletters_suppressions:index_results",
    "printing_runs:index_results",
    "printing_signs:index_results",
]


def admin_search_urls() -> list[str]:
    urls = []
    for name in ADMIN_INDEXES:
        try:
            urls.append(reverse(name))
        except NoReverseMatch:
            continue
    for model in get_snippet_models():
        viewset = model.snippet_viewset
        urls.append(reverse(viewset.get_url_name("list_results")))
        urls.append(reverse(viewset.chooser_viewset.get_url_name("choose_results")))
    return urls


def test_the_public_search_answers_any_string(client):
    client.raise_request_exception = False
    for query in ODD:
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200, query


def test_every_admin_search_answers_any_string(client, superuser):
    area = AreaFactory(name="Canal Quarter")
    OperationFactory(areas=[area])
    client.force_login(superuser)
    client.raise_request_exception = False
    urls = admin_search_urls()
    assert len(urls) > 20
    failures = []
    for url in urls:
        for query in ODD:
            status = client.get(url, {"q": query}).status_code
            if status >= 500:
                failures.append((url, query, status))
    assert failures == [], "\n".join(map(str, failures))
