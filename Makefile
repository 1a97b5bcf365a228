# Maillage — the two commands are `make run` and `make test`; the rest are their steps.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
# This machine's pip configuration names local indexes that may be absent: hide that noise.
PIP_QUIET := 2>&1 | { grep -v "^WARNING: Location" || true; }
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve install install-test messages makemessages lint format lock collectstatic demo bench clean

## make run: install, migrate an SQLite database, load the demo network and serve it.
run: install messages
	@$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py load_territories
	@$(PY) manage.py loaddemo
	@$(PY) manage.py collectstatic --noinput -v0
	@echo
	@echo "Maillage is served on http://$(HOST):$(PORT)/ (Ctrl+C to stop)."
	@echo "Log in at http://$(HOST):$(PORT)/compte/connexion/ with one of the demo logins above."
	@$(PY) manage.py runserver $(HOST):$(PORT)

## make test: everything CI runs: lint, migrations check, PostgreSQL, SQLite and browser tests.
test: install-test messages
	@bash scripts/test.sh

## make serve: production on one machine: PostgreSQL from DATABASE_URL, DEBUG off, migrations,
## static files, the task worker, the daily jobs and gunicorn on HOST:PORT (scripts/serve.sh).
serve: install messages
	@HOST=$(HOST) PORT=$(PORT) bash scripts/serve.sh

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(PY)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock $(PIP_QUIET)
	@touch $@

$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.lock $(PIP_QUIET)
	@touch $@

# Etalab's French territories (regions to communes): an npm data package, pinned in
# package-lock.json, read by `manage.py load_territories`. Nothing of Node runs in the product.
node_modules/.package-lock.json: package-lock.json
	@command -v npm >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; } \
		|| { echo "npm is missing: install Node.js and npm (apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.package-lock.json
install-test: $(VENV)/.installed-test

## Translations: .po files are the source, .mo files are built.
messages: install
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq gettext >/dev/null; } \
		|| { echo "msgfmt is missing: install GNU gettext (apt-get install gettext)"; exit 1; }
	@$(PY) manage.py compilemessages --ignore=.venv -v0

makemessages: install
	$(PY) manage.py makemessages -l fr -l en --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=tests

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint maillage --lint --profile=django --quiet
	$(BIN)/lint-imports --no-cache

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Re-lock exact versions after a change of pyproject.toml.
lock: install-test
	$(BIN)/uv pip compile pyproject.toml -o requirements.lock --python-version 3.11 --no-header -q
	$(BIN)/uv pip compile pyproject.toml --extra test -o requirements-test.lock --python-version 3.11 --no-header -q

demo: install
	$(PY) manage.py loaddemo

## make bench [SCALE=regional|national|tiny]: every figure beside its peer, measured in the same
## run on PostgreSQL (scripts/bench.sh): fills the database maillage_bench_$(SCALE) with the
## generator's scale (kept for the next run; resumed if interrupted), prints one table and writes
## it into docs/benchmarks.md. BENCH_DATABASE_URL names another database.
SCALE ?= regional
bench: install-test messages
	@SCALE=$(SCALE) bash scripts/bench.sh

clean:
	rm -rf $(VENV) var/static
