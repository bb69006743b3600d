"""The Content-Security-Policy on every response (django-csp).

Public pages may load only the site's own scripts, styles, images and fonts, and run no
inline script. The Wagtail admin still writes inline scripts and styles in places
(its theme loader, date pickers, panels; wagtail/wagtail#1288, #7053), so pages under
``/admin/`` also allow inline script and style, and nothing from another origin. Uploaded
media is served with a sandbox and no permission to run anything, so a file that is a
script in disguise cannot act on the site's origin.
"""

from csp.constants import NONE, UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings

ADMIN_PREFIX = "/admin/"
ADMIN_ALLOWANCES = {"script-src": [UNSAFE_INLINE], "style-src": [UNSAFE_INLINE]}
MEDIA_POLICY = {"default-src": [NONE], "sandbox": True}


class SignpostCSPMiddleware(CSPMiddleware):
    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        path = request.path_info
        if settings.MEDIA_URL and path.startswith(settings.MEDIA_URL):
            parts.config = MEDIA_POLICY
        elif path.startswith(ADMIN_PREFIX) and parts.update is None and parts.config is None:
            parts.update = ADMIN_ALLOWANCES
        return parts
