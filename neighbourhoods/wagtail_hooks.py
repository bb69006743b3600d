"""Registers the residents' pages with Wagtail: their part of the home page."""

from wagtail import hooks

from .selectors import home_page_content

hooks.register("signpost_home_page_context", home_page_content)
