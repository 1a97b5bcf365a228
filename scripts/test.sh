#!/usr/bin/env bash
# The whole check, as CI runs it (`make test` calls this after installing the test dependencies).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
# Python keeps the compiled modules (ignored by git): each of the run's dozen processes (the
# pytest workers, the migrations, the servers the tests start) then imports them instead of
# compiling the project and rewriting the tests' assertions again, 8 s of CPU each.
unset PYTHONDONTWRITEBYTECODE

step() { printf '\n=== %s ===\n' "$*"; }

step "Chromium (browser tests)"
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Chromium is missing: installing Debian's package (apt-get install chromium)…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing. Install it with: sudo apt-get install chromium"
    echo "(or point CHROMIUM_PATH to a Chromium binary), then run 'make test' again."
    exit 1
  fi
fi
export CHROMIUM_PATH=$CHROMIUM
"$CHROMIUM" --version

step "PostgreSQL"
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  PG_URL=$TEST_DATABASE_URL
  echo "Using TEST_DATABASE_URL."
else
  PG_URL=$(bash scripts/postgres.sh)
  echo "Using the machine's PostgreSQL cluster."
fi

step "Translation catalogues match the code"
# Extract the strings of the code, compare them with the committed catalogues, put those back.
snapshot=$(mktemp -d)
cp -r locale "$snapshot/"
$BIN/python manage.py makemessages -l fr -l en --no-obsolete --no-location --ignore=.venv --ignore=var --ignore=tests -v0
status=0
$BIN/python scripts/check_catalogues.py "$snapshot/locale" locale || status=$?
rm -rf locale && cp -r "$snapshot/locale" locale && rm -rf "$snapshot"
if [ "$status" != 0 ]; then
  echo "Interface strings changed: run 'make makemessages', translate the new entries in"
  echo "locale/fr and locale/en (the test suite checks both are complete), then 'make test' again."
  exit 1
fi
echo "Both catalogues hold every string of the code."

# The SQLite subset runs beside the lint below and the PostgreSQL suite (two cores, two
# independent processes, each with its own var/ directory); its output is printed once the
# PostgreSQL suite is done. It starts after the catalogue check, which rewrites locale/.
mkdir -p var/sqlite-run
sqlite_log=var/sqlite-run/pytest.log
MAILLAGE_VAR_DIR="$(pwd)/var/sqlite-run" DATABASE_URL="sqlite:///$(pwd)/var/sqlite-run/test.sqlite3" \
  $BIN/pytest -m "sqlite and not browser" --durations=15 >"$sqlite_log" 2>&1 &
sqlite_pid=$!
trap 'kill $sqlite_pid 2>/dev/null || true' EXIT

step "Lint (ruff)"
$BIN/ruff check .
$BIN/ruff format --check .

step "Layers point down (import-linter, contract in .importlinter)"
$BIN/lint-imports --no-cache

step "Template lint (djlint)"
$BIN/djlint maillage --lint --profile=django --quiet

step "Migrations are up to date"
$BIN/python manage.py makemigrations --check --dry-run

step "Test suite on PostgreSQL"
# pytest-xdist: one worker per core, each with its own test database; a module's tests stay on
# one worker (--dist loadfile), so the worlds built once per module are built once.
pg_status=0
# Each worker's test database is made anew (--create-db) as a copy of the migrated template
# (tests/template_db.py: migrated once per set of migration files, not per worker) and kept
# (--reuse-db) for the browser tests below, which reuse it.
DATABASE_URL=$PG_URL $BIN/pytest -m "not browser" -n "${TEST_WORKERS:-$(nproc)}" --dist loadfile \
  --create-db --reuse-db --durations=15 || pg_status=$?

step "Marked subset on SQLite (ran beside the PostgreSQL suite)"
sqlite_status=0
wait $sqlite_pid || sqlite_status=$?
trap - EXIT
cat "$sqlite_log"
if [ "$pg_status" != 0 ] || [ "$sqlite_status" != 0 ]; then
  echo "Tests failed (PostgreSQL: exit $pg_status, SQLite: exit $sqlite_status)."
  exit 1
fi

step "Browser tests in Chromium (Playwright + axe), on PostgreSQL"
# One worker per core too: each with its own live server, test database and Chromium. Tests go
# to whichever worker is free (not one module per worker: every page's scan is one module of
# 77): each worker builds the demo and the pages' world once and restores them per test
# (tests/snapshots.py).
DATABASE_URL=$PG_URL $BIN/pytest -m browser -n "${TEST_WORKERS:-$(nproc)}" --dist worksteal --reuse-db \
  --durations=15

step "All checks passed"
