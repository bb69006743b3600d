"""What Signpost's logs must never hold: residents' addresses (email and postal) and
household codes. Those travel in URLs: a sign-up's confirm, preferences and unsubscribe
links carry signed tokens, short links and survey links carry codes, searches carry what
was searched for. So every path logged loses its query string and the token or code after
the prefixes below, in gunicorn's access log (:class:`GunicornLogger`) and in Django's own
records (:class:`RedactPaths`, on the console handler). docs/operations.md, "Logs"."""

import logging
import re

from gunicorn.glogging import Logger

REDACTED = "…"
# Paths whose last part is a token, a code, or something a resident typed.
SECRET_PATH = re.compile(
    r"^(?P<prefix>/newsletters/(?:confirm|preferences|unsubscribe|qr|sample)/"
    r"|/q/"
    r"|/admin/password_reset/confirm/"
    r"|/anymail/)"
    r"[^?#]*"
)


def redact_path(path: str) -> str:
    """The path without its query string, and with any token or code cut out."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    return SECRET_PATH.sub(lambda match: match["prefix"] + REDACTED, path)


class RedactPaths(logging.Filter):
    """Redact every path given to a log record (Django's "Not Found: /path" and the like)."""

    def filter(self, record):
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_path(arg) if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        return True


class GunicornLogger(Logger):
    """gunicorn's logger with the request line redacted: no query string, no referrer, no
    request or environment variables, no token or code in the path."""

    SAFE_ATOMS = {"h", "t", "m", "U", "H", "s", "B", "b", "T", "D", "M", "L", "p", "a"}

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        safe = {key: value for key, value in atoms.items() if key in self.SAFE_ATOMS}
        safe["U"] = redact_path(atoms.get("U", ""))
        safe["q"] = ""
        safe["r"] = f"{atoms.get('m', '')} {safe['U']} {atoms.get('H', '')}"
        safe["f"] = "-"
        return safe
