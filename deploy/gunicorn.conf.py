"""gunicorn settings for `bin/signpost web` (docs/operations.md, "Topology").

Workers: synchronous, one request each at a time. Signpost's requests are short database
work, except the admin's PDF previews and downloads (WeasyPrint, pikepdf), which use a CPU
for a second or two; sync workers keep one slow request from delaying the others in the
same process, and a request never shares its process's memory with another. Count:
gunicorn's rule of thumb, two per CPU plus one, unless WEB_CONCURRENCY says otherwise
(containers often see the host's CPUs, so set it there). Scale out by running more web
processes (machines or containers) behind the load balancer.

Timeouts: a worker silent for `timeout` seconds is killed and replaced: 60 s covers the
slowest legitimate request (a large print run's preview page) with room to spare; big
renders run on Celery, not here. `graceful_timeout` lets requests in flight finish on a
restart. `keepalive` is a little longer than the usual load balancer's idle probe.
`max_requests` (with jitter, so they do not all restart at once) replaces each worker
after that many requests, returning memory that PDF and image libraries hold on to.

The access log records the method, the path with tokens and household codes cut out, and
never the query string (``signpost.logs``).
"""

import multiprocessing
import os

bind = os.environ.get("SIGNPOST_WEB_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("SIGNPOST_WEB_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
max_requests = 1000
max_requests_jitter = 100
# Import Django once, then fork: faster starts and shared memory. No database connection is
# opened before the fork (Django connects on a request's first query).
preload_app = True
# The load balancer's address(es), whose X-Forwarded-* headers are believed.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
logger_class = "signpost.logs.GunicornLogger"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def pre_fork(server, worker):
    """Before a worker is forked: the preloaded code (Django, Wagtail and every view the
    URLconf imports) moved out of the garbage collector's reach. A worker's full
    collections then walk only what its requests made: measured at a force's size, tens
    of milliseconds instead of the 200 to 350 ms they took walking a million and a half
    objects of loaded code, which fell on whichever request came next
    (BENCHMARKS.md, "Fourth round"). The frozen objects' memory also stays shared with
    the master instead of being copied into each worker as the collector touches it."""
    import gc

    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports every view before the freeze)
    connections.close_all()  # whatever the import touched is not shared with workers
    gc.freeze()
