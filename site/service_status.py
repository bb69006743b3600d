"""Which of the services Signpost leans on is down, said plainly in the admin.

Checked quickly, by the readiness checks of ``signpost.health`` (short timeouts), and at
most every ``CHECK_EVERY_SECONDS`` per process, since the admin asks on every page: the
shared cache (Redis) and the task broker. The database needs no banner: without it there is no admin.
While one is down the site keeps going (signpost.cache, the job ledger in signpost.jobs),
and staff are told what that means for their work.
"""

import time
from dataclasses import dataclass

from django.contrib import messages
from django.core.cache import cache

from . import health
from .cache import cache_down_since

CHECK_EVERY_SECONDS = 20
_checked: dict[str, tuple[float, bool]] = {}


@dataclass(frozen=True)
class ServiceDown:
    name: str
    consequence: str

    def __str__(self):
        return f"{self.name} is not answering. {self.consequence}"


CACHE_DOWN = ServiceDown(
    "The shared cache (Redis)",
    "The site is served without it, more slowly; rate limits on public forms are "
    "relaxed until it is back.",
)
BROKER_DOWN = ServiceDown(
    "The task broker (Redis)",
    "Print runs, emails and sign-up confirmations are kept and will be handed on when "
    "it is back; nothing is lost, but nothing is sent or rendered until then.",
)


def _remembered(name: str, check) -> bool:
    now = time.monotonic()
    at, ok = _checked.get(name, (0.0, True))
    if now - at >= CHECK_EVERY_SECONDS:
        ok = check()
        _checked[name] = (now, ok)
    return ok


def _cache_answers() -> bool:
    cache.get("signpost:service-status")  # a fail-soft cache records a failure
    return cache_down_since() is None and health.check_cache().ok


def _broker_answers() -> bool:
    return health.check_broker().ok


def services_down() -> list[ServiceDown]:
    down = []
    if not _remembered("cache", _cache_answers):
        down.append(CACHE_DOWN)
    if not _remembered("broker", _broker_answers):
        down.append(BROKER_DOWN)
    return down


def forget_checks() -> None:
    _checked.clear()


class ServiceStatusMiddleware:
    """On each admin page a signed-in member of staff opens, a warning naming any
    service that is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method == "GET"
            and request.path.startswith("/admin/")
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
            and "text/html" in request.headers.get("Accept", "text/html")
            and request.headers.get("X-Requested-With") != "XMLHttpRequest"
        ):
            for service in services_down():
                messages.warning(request, str(service))
        return self.get_response(request)
