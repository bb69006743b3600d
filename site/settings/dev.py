"""Development: the embedded default that `make run` uses."""

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True
ALLOWED_HOSTS = ["*"]
INTERNAL_IPS = ["127.0.0.1"]
EMAIL_FILE_PATH = VAR_DIR / "mail"
