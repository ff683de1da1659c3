# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8000
export PORT

.PHONY: run test lint format bench install install-dev chromium axe smtp-sink migrate demo messages compile clean

## run: install, migrate, load the demo data, start web server + Celery worker + beat
## (worker and beat run under deploy/keep-running: one that dies is started again)
# honcho gives each process its own PORT (web $(PORT), worker +100, beat +200): the links in the
# worker's emails must name the web server's.
run: export PORTAL_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed migrate demo
	@echo "Portal: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the web server, worker and beat)"
	$(VENV)/bin/honcho --procfile Procfile start

## test: the whole suite (uses PostgreSQL/Redis when DATABASE_URL/REDIS_URL say so)
test: $(VENV)/.installed-dev chromium axe
	$(PY) manage.py ensure_database
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

## bench: speed targets on PostgreSQL (DATABASE_URL, default a local portal_bench database);
## prints tables and writes var/bench/*.json
BENCH_DATABASE_URL ?= $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/portal_bench)
bench: $(VENV)/.installed-dev smtp-sink
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py ensure_database
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) manage.py migrate --noinput
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.sla
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.reports
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.outbox
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.scale
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.scorecard
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.ingest
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -m bench.import_job

## lint: ruff check and format check
lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VENV)/.installed: requirements.txt requirements-build.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check pip==26.3
	$(PIP) install --quiet --build-constraint requirements-build.txt -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet --build-constraint requirements-build.txt -r requirements-dev.txt
	touch $@

## chromium: Debian's Chromium for the browser tests (Playwright's own download cannot work here)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## smtp-sink: Postfix's C SMTP sink, the bench's mail server (a Python server would take the
## CPU the senders are measured on). Installed unconfigured ("No configuration"): no mail
## daemon is set up or started, only the program is used.
smtp-sink:
	@command -v smtp-sink >/dev/null 2>&1 || test -x /usr/sbin/smtp-sink || { \
	  echo "Installing Debian's postfix for its smtp-sink (unconfigured, no daemon)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "postfix postfix/main_mailer_type select No configuration" | $$SUDO debconf-set-selections; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    --no-install-recommends postfix >/dev/null; }

## axe: axe-core for the accessibility audit of the browser journeys, the exact version of
## package-lock.json from the npm registry into node_modules/ (test-only: nothing is served)
axe: node_modules/axe-core/axe.min.js
node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "Installing Debian's npm for axe-core"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

migrate: $(VENV)/.installed
	$(PY) manage.py compile_catalogues
	$(PY) manage.py ensure_database
	$(PY) manage.py migrate --noinput

demo: $(VENV)/.installed
	$(PY) manage.py seed_demo

## messages: refresh the catalogues after adding strings (needs GNU gettext), then translate
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages -l ru -l pl --no-obsolete --ignore=.venv --ignore=var --ignore=node_modules --ignore=tests --ignore=bench
	@echo "Now translate the new entries in locale/*/LC_MESSAGES/django.po, then: make compile"

compile: $(VENV)/.installed
	$(PY) manage.py compile_catalogues

clean:
	rm -rf $(VENV) var node_modules
