"""The shared PDF renderer fetches only the site's own files."""

import pytest
from signpost.pdf import ExternalResourceRefused, LocalFilesFetcher, render_html


def test_fetcher_serves_static_files_and_refuses_everything_else(settings):
    fetcher = LocalFilesFetcher()
    response = fetcher.fetch("http://testserver/static/signpost/img/favicon.svg")
    assert b"<svg" in response.read()
    for url in (
        "https://cdn.example.com/font.woff",
        "http://testserver/admin/",
        "http://testserver/static/../settings.py",
        "file:///etc/passwd",
    ):
        with pytest.raises((ExternalResourceRefused, ValueError)):
            fetcher.fetch(url)


def test_an_external_image_is_left_out_and_the_page_still_renders():
    document = render_html('<p>Hello</p><img src="https://tracker.example.com/pixel.png" alt="">')
    assert len(document.pages) == 1
    assert document.write_pdf().startswith(b"%PDF")
