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


def test_the_layout_check_uses_a_sample_as_long_as_a_printed_item(settings):
    """The fit check and the preview use the site's own short address and a household
    code as printed ('ABCD-EFGH'), so a run that fits the check fits when it prints."""
    from printing.models import ShortLink, short_code_generate
    from printing.rendering import sample_item
    from surveys.models import ResponseCode
    from surveys.services import _new_code

    settings.WAGTAILADMIN_BASE_URL = "https://safer-harbridge.example.org"
    sample = sample_item(per_household=True)
    printed = ShortLink(code=short_code_generate())
    assert sample.short_address.startswith("safer-harbridge.example.org/q/")
    assert len(sample.short_address) == len(printed.display_address())
    assert len(sample.household_code) == len(ResponseCode(code=_new_code()).display) == 9
    assert sample_item(per_household=False).household_code == ""
