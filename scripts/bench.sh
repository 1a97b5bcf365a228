#!/usr/bin/env bash
# `make bench [SCALE=regional|national|tiny]`: the benchmarks of issue 18 on PostgreSQL.
# The database is BENCH_DATABASE_URL, else maillage_bench_<scale> on the machine's own cluster
# (started as for the tests). It keeps the generated data: the next run measures at once, and an
# interrupted generation resumes where it stopped. Extra arguments go to `manage.py bench`
# (e.g. BENCH_ARGS="--only reports").
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
SCALE=${SCALE:-regional}
export DEBUG=0

if [ -n "${BENCH_DATABASE_URL:-}" ]; then
  URL=$BENCH_DATABASE_URL
else
  URL=$(PG_TEST_DB=maillage_bench_${SCALE} bash scripts/postgres.sh)
fi
export DATABASE_URL=$URL
echo "bench: database ${URL##*/}, scale $SCALE" >&2
$BIN/python manage.py migrate --noinput -v0
$BIN/python manage.py load_territories >/dev/null
$BIN/python manage.py collectstatic --noinput -v0
# shellcheck disable=SC2086 # BENCH_ARGS is a list of arguments
$BIN/python manage.py bench --scale "$SCALE" ${BENCH_ARGS:-}
