# Signpost's image: one image for every process; compose.yaml (or your orchestrator) picks
# the entry point: `bin/signpost web | worker | beat | release`.
# Debian bookworm, as CI: PostgreSQL 15's client (pg_dump for backups) matches the server
# in compose.yaml; WeasyPrint's Pango and fonts; no compilers left in the image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=signpost.settings.production \
    SIGNPOST_VAR_DIR=/var/lib/signpost \
    MEDIA_ROOT=/var/lib/signpost/media \
    SIGNPOST_PYTHON=/usr/local/bin/python

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
      postgresql-client-15 tini libgs-common \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /app --shell /usr/sbin/nologin signpost \
 && mkdir -p /var/lib/signpost/media \
 && chown -R signpost /var/lib/signpost

WORKDIR /app
COPY pyproject.toml README.md ./
COPY site ./site
RUN pip install --no-compile .
COPY . .
# The apps beside the project package are imported from /app (as in a checkout).
RUN pip install --no-compile --no-deps -e . \
 && python -m compileall -q site engagement newsletters printing surveys reports neighbourhoods

USER signpost
EXPOSE 8000
VOLUME ["/var/lib/signpost"]
ENTRYPOINT ["/usr/bin/tini", "--", "bin/signpost"]
CMD ["web"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
