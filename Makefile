# Signpost: `make run` serves the demo site, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# `make run PORT=8080` serves there, and every link Signpost makes (emails, QR codes, the
# admin's own links, the site's address) follows it.
PORT ?= 8000
SIGNPOST_BASE_URL ?= http://127.0.0.1:$(PORT)
# Who the demo's emails are from: the demo initiative's name, at a domain kept for
# examples. A deployment sets its own (production refuses to start without one).
DEFAULT_FROM_EMAIL ?= Safer Harbridge <updates@harbridge.example.org>

.PHONY: install run test worker lint format migrations-check messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# The web server, a Celery worker and beat on an embedded broker (var/broker/); Ctrl-C stops all three.
run: export SIGNPOST_BASE_URL := $(SIGNPOST_BASE_URL)
run: export DEFAULT_FROM_EMAIL := $(DEFAULT_FROM_EMAIL)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data --print-users
	@echo "Signpost is at $(SIGNPOST_BASE_URL)/ (admin: $(SIGNPOST_BASE_URL)/admin/). Emails are written to var/mail/, one file per recipient."
	$(PY) manage.py rundev --port $(PORT) $(RUNDEV_ARGS)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# A Celery worker with beat, against Redis (CELERY_BROKER_URL, by default the local Redis).
worker: install
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} \
	REDIS_URL=$${REDIS_URL:-$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0}} \
	$(VENV)/bin/celery -A signpost worker --beat --loglevel=info

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

# The site's own text in each language: every folder with a locale/ beside it (the apps,
# site/, and templates/ at the top) keeps its own catalogues. Needs GNU gettext
# (Debian's gettext). LANGS lists every language but the default; the README says how
# to add one.
APP_DIRS := site engagement evaluation newsletters printing reports surveys neighbourhoods
LANGS ?= cy ur
messages: install
	# The top catalogue is templates/' text, read from inside templates/: an --ignore of
	# an app's folder would also skip templates/<app>/ (makemessages matches folder names).
	cd templates && ../$(PY) ../manage.py makemessages $(foreach l,$(LANGS),-l $(l)) --no-obsolete
	for d in $(APP_DIRS); do [ -d $$d/locale ] && (cd $$d && ../$(PY) ../manage.py makemessages $(foreach l,$(LANGS),-l $(l)) --no-obsolete) || true; done
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var db.sqlite3
