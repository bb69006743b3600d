"""The shared cache, failing soft: with Redis down, pages are served uncached.

Production's cache is Redis (rate limits, the send throttle, Wagtail's caches). A
``RedisCache`` whose server is down raises on every call, and every page answers 500.
``FailSoftRedisCache`` answers as an empty cache instead: a read misses, a write is
dropped, a counter starts again (so a rate limit or the send throttle lets the request
through rather than refusing everyone), and for ``RETRY_AFTER_SECONDS`` after a failure
it does not even try, so no request waits on a server that is not there. Connection and
socket timeouts are short for the same reason.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

# After a failure, calls skip Redis for this long before trying it again.
RETRY_AFTER_SECONDS = 10
_down_since: dict[str, float] = {}


def cache_down_since(location: str | None = None) -> float | None:
    """When a fail-soft cache last found its server down (None: it is answering)."""
    if location is not None:
        return _down_since.get(location)
    return min(_down_since.values(), default=None)


def _fail_soft(fallback):
    """Run the cache call, or return ``fallback(*args, **kwargs)`` with the server down."""

    def wrap(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            since = _down_since.get(self._location_key)
            if since is not None and time.monotonic() - since < RETRY_AFTER_SECONDS:
                return fallback(*args, **kwargs)
            try:
                result = method(self, *args, **kwargs)
            except self._connection_errors as error:
                if since is None:
                    logger.warning("The cache is down (%s): serving uncached.", error)
                _down_since[self._location_key] = time.monotonic()
                return fallback(*args, **kwargs)
            if since is not None:
                logger.warning("The cache is back.")
                _down_since.pop(self._location_key, None)
            return result

        return call

    return wrap


def _none(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _true(*args, **kwargs):
    return True


def _default(key, default=None, *args, **kwargs):
    return default


def _delta(key, delta=1, *args, **kwargs):
    return delta


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        options = params.setdefault("OPTIONS", {})
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, params)
        self._location_key = ",".join(self._servers)
        from redis.exceptions import ConnectionError, TimeoutError  # the redis client's own

        self._connection_errors = (ConnectionError, TimeoutError, OSError)

    get = _fail_soft(_default)(RedisCache.get)
    add = _fail_soft(_true)(RedisCache.add)
    set = _fail_soft(_false)(RedisCache.set)
    touch = _fail_soft(_false)(RedisCache.touch)
    delete = _fail_soft(_false)(RedisCache.delete)
    has_key = _fail_soft(_false)(RedisCache.has_key)
    incr = _fail_soft(_delta)(RedisCache.incr)
    get_many = _fail_soft(lambda keys, *a, **k: {})(RedisCache.get_many)
    set_many = _fail_soft(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _fail_soft(_none)(RedisCache.delete_many)
    clear = _fail_soft(_false)(RedisCache.clear)
