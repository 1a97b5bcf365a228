#!/usr/bin/env bash
# Production serving: `make serve` runs `scripts/serve.sh` (everything, one machine); the compose
# file runs one role per container. Roles:
#   all (default)  build, migrate, then the task worker, the daily jobs and the web server,
#                  stopped together (Ctrl+C, or when one of them stops)
#   build          translations and static files; needs no database (the Dockerfile runs it)
#   web            migrate, then gunicorn on HOST:PORT (gunicorn.conf.py)
#   worker         the background task worker (`manage.py db_worker`)
#   scheduler      the daily jobs (scripts/daily_jobs.sh)
# PostgreSQL comes from DATABASE_URL; DEBUG is off; tasks go through the database.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
ROLE=${1:-all}
export DEBUG=0 TASKS_BACKEND=${TASKS_BACKEND:-database} PYTHONUNBUFFERED=1

say() { echo "serve: $*" >&2; }

require_postgresql() {
  case "${DATABASE_URL:-}" in
    postgres://* | postgresql://* | pgsql://*) ;;
    "")
      say "DATABASE_URL is not set. Production runs on PostgreSQL, e.g."
      say "  DATABASE_URL=postgres://maillage:secret@127.0.0.1:5432/maillage make serve"
      say "(make run serves the demo on SQLite)"
      exit 2 ;;
    *)
      say "DATABASE_URL must name a PostgreSQL database (postgres://…), not ${DATABASE_URL%%:*}."
      exit 2 ;;
  esac
}

build() {
  say "translations and static files"
  "$BIN/python" manage.py compilemessages --ignore=.venv --ignore=var -v0
  "$BIN/python" manage.py collectstatic --noinput -v0
}

migrate() {
  say "migrations"
  "$BIN/python" manage.py migrate --noinput -v0
  say "shipped assessment instruments (a file already loaded changes nothing)"
  "$BIN/python" manage.py load_instruments >/dev/null
}

case "$ROLE" in
  build) build ;;
  web) require_postgresql; migrate; exec "$BIN/gunicorn" -c gunicorn.conf.py maillage.wsgi:application ;;
  worker) require_postgresql; exec "$BIN/python" manage.py db_worker --queue-name '*' ;;
  scheduler) require_postgresql; exec bash scripts/daily_jobs.sh ;;
  all)
    require_postgresql
    build
    migrate
    pids=()
    stop() {
      trap - EXIT INT TERM
      kill "${pids[@]}" 2>/dev/null || true
      wait "${pids[@]}" 2>/dev/null || true
    }
    trap stop EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    "$BIN/python" manage.py db_worker --queue-name '*' & pids+=($!)
    BIN=$BIN bash scripts/daily_jobs.sh & pids+=($!)
    "$BIN/gunicorn" -c gunicorn.conf.py maillage.wsgi:application & pids+=($!)
    say "web server on http://${HOST:-127.0.0.1}:${PORT:-8000}/, task worker and daily jobs started"
    # The first of the three to stop stops the others (the EXIT trap).
    status=0
    wait -n "${pids[@]}" || status=$?
    say "a process stopped (exit $status): stopping the others"
    exit "$status" ;;
  *) say "unknown role '$ROLE' (all, build, web, worker, scheduler)"; exit 2 ;;
esac
