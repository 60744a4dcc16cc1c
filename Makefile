# MBC Tracker. `make run` starts the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Tests run against the real PostgreSQL and Redis; these are the local defaults.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mbc_tracker
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run test lint format bench venv dev-venv system-packages messages compile-messages \
	messages-check clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.dev-installed

## Start the web server, a Celery worker and beat with demo data (SQLite and an embedded broker
## unless DATABASE_URL / REDIS_URL are set). Ctrl-C stops all three.
run: venv
	@$(MAKE) --no-print-directory compile-messages || \
	  echo "The translations are not compiled (gettext's msgfmt is missing?): pages stay in English."
	@mkdir -p var
	@export DJANGO_DEBUG=$${DJANGO_DEBUG:-1} PATH="$(CURDIR)/$(VENV)/bin:$$PATH"; \
	python manage.py migrate --noinput -v 0 && \
	python manage.py webpush_dev_keys && \
	python manage.py seed_demo && \
	echo "MBC Tracker is starting at http://127.0.0.1:8000 — log in with a demo login above." && \
	echo "Web server, Celery worker and beat run together; Ctrl-C stops all three." && \
	exec honcho start --no-colour --env /dev/null --procfile Procfile.dev

## The Debian packages the suite needs (Chromium, Pango, fonts, PostgreSQL and Redis binaries):
## installed when run as root with apt, otherwise the exact command to run is printed.
system-packages:
	@bash .ci/system-packages

## Run the whole test suite against PostgreSQL and Redis (DATABASE_URL / REDIS_URL override).
test: system-packages dev-venv
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(VENV)/bin/pytest $(PYTEST_ARGS)

## Translations. `make messages` gathers every marked string into the Spanish catalogues (each
## app's locale/, the project's locale/) and compiles them; `make compile-messages` only compiles;
## `make messages-check` fails on a string missing from a catalogue or not yet in Spanish.
MESSAGES_IGNORE := --ignore=staticfiles --ignore=var --ignore=bench --ignore=node_modules \
	--ignore='*/tests/*' --ignore=conftest.py
messages: dev-venv
	DJANGO_DEBUG=1 $(PY) manage.py makemessages --locale=es --no-obsolete --add-location=file \
		$(MESSAGES_IGNORE)
	$(MAKE) compile-messages

compile-messages: venv
	@command -v msgfmt >/dev/null 2>&1 || \
	  { echo "msgfmt is missing: install gettext (sudo apt-get install -y gettext)." >&2; exit 1; }
	DJANGO_DEBUG=1 $(PY) manage.py compilemessages --locale=es --ignore=.venv --ignore=var -v 0

messages-check: venv
	DJANGO_DEBUG=1 $(PY) manage.py messages_check

## Style and the layering contract (pyproject.toml, [tool.importlinter]).
lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo

format: dev-venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Print the benchmark figures (see bench/README.md). Installs wrk, the load generator, when it is
## missing and it can (root with apt); otherwise prints the command.
bench: dev-venv
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing wrk, the load generator of bench_log_post.py ..."; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    { apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 || \
	      { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }; } \
	      || echo "Could not install wrk: bench_log_post.py uses its Python driver instead."; \
	  else \
	    echo "wrk is not installed, so bench_log_post.py uses its Python driver. To install it:"; \
	    echo "  sudo apt-get install -y --no-install-recommends wrk"; \
	  fi; }
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) bench/run.py

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
