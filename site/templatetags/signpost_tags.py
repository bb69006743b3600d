from django import template
from wagtail.models import Site

register = template.Library()


@register.inclusion_tag("signpost/includes/site_menu.html", takes_context=True)
def site_menu(context):
    """Top-level pages marked 'show in menus', in one query."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    items = []
    if site is not None:
        items = site.root_page.get_children().live().public().in_menu().only("title", "url_path")
    return {"menu_items": items, "request": request, "current_page": context.get("page")}
