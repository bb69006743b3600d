from wagtail import hooks

from .selectors import home_page_content


@hooks.register("signpost_home_page_context")
def home_page_areas_news_and_surveys(page):
    return home_page_content(page)
