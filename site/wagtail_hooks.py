from wagtail import hooks

from .caching import cache_headers_apply


@hooks.register("on_serve_page")
def page_cache_headers(next_serve_page):
    """Every page served gets public or private cache headers (see signpost.caching).
    Registered before Wagtail's own hook, so restricted pages already carry never_cache."""

    def serve(page, request, args, kwargs):
        response = next_serve_page(page, request, args, kwargs)
        if hasattr(response, "add_post_render_callback") and not response.is_rendered:
            response.add_post_render_callback(lambda r: cache_headers_apply(request, r))
            return response
        return cache_headers_apply(request, response)

    return serve
