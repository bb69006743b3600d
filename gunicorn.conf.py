"""Gunicorn settings for production: ``gunicorn -c gunicorn.conf.py signpost.wsgi``.

The access log records the path without its query string (``%(U)s``, never the request
line ``%(r)s`` or ``%(q)s``): an address that carries a household code or a sign-up
token must not land in a log. See the README, "What an operator must do".
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s'
