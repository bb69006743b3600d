from django import template
from django.conf import settings
from django.utils import translation
from django.utils.html import format_html
from signpost.language_switch import language_links
from signpost.languages import language_tag
from signpost.translated import language_attributes as translated_language_attributes
from wagtail.models import Site

register = template.Library()


@register.inclusion_tag("signpost/includes/site_menu.html", takes_context=True)
def site_menu(context):
    """Top-level pages marked 'show in menus', in one query."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    items = []
    if site is not None:
        # The menu of the home page in the language being read (the default's if none).
        root = site.root_page
        if translation.get_language() != settings.LANGUAGE_CODE:
            root = root.localized
        items = root.get_children().live().public().in_menu().only("title", "url_path")
    return {"menu_items": items, "request": request, "current_page": context.get("page")}


@register.inclusion_tag("signpost/includes/breadcrumbs.html")
def breadcrumbs(page, current_label=""):
    """Where a page sits under the home page, in one query. ``current_label`` adds a
    last crumb for a view inside the page (e.g. a postcode answer)."""
    if page is None or (page.depth <= 2 and not current_label):
        return {"crumbs": []}
    ancestors = list(page.get_ancestors().filter(depth__gt=1).live())
    crumbs = [{"page": p} for p in ancestors]
    if current_label:
        crumbs.append({"page": page})
        crumbs.append({"label": current_label})
    else:
        crumbs.append({"label": page.title})
    return {"crumbs": crumbs}


@register.inclusion_tag("signpost/includes/language_switcher.html", takes_context=True)
def language_switcher(context):
    """Links to what is being read in each of the site's languages, each named in itself."""
    request = context.get("request")
    return {"language_links": language_links(request, context.get("page"))}


@register.filter
def bcp47(code):
    """A language code as HTML's ``lang`` wants it: ``en-gb`` becomes ``en-GB``."""
    return language_tag(code)


@register.filter
def language_attributes(page):
    """` lang="en-GB" dir="ltr"` on a page listed in a language other than the page's."""
    attributes = translated_language_attributes(page)
    if attributes is None:
        return ""
    return format_html(' lang="{}" dir="{}"', *attributes)
