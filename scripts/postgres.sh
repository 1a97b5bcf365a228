#!/usr/bin/env bash
# Start the machine's own PostgreSQL (Debian's postgresql-15 cluster) and make sure a role and a
# database exist for the tests. Prints the DATABASE_URL to use on stdout; everything else on stderr.
set -euo pipefail
ROLE=${PG_TEST_ROLE:-maillage}
PASSWORD=${PG_TEST_PASSWORD:-maillage}
DB=${PG_TEST_DB:-maillage}
PORT=${PG_TEST_PORT:-5432}

say() { echo "postgres: $*" >&2; }

if ! command -v pg_ctlcluster >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    say "installing Debian's postgresql-15"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >&2
  else
    say "PostgreSQL is not installed: run 'sudo apt-get install postgresql-15', or set TEST_DATABASE_URL"
    exit 1
  fi
fi
if [ "$(id -u)" != 0 ]; then
  say "starting the machine's PostgreSQL needs root; or set TEST_DATABASE_URL=postgres://user:pass@host/db"
  exit 1
fi

VERSION=$(pg_lsclusters -h | awk 'NR==1 {print $1}')
CLUSTER=$(pg_lsclusters -h | awk 'NR==1 {print $2}')
if [ -z "$VERSION" ]; then
  say "no cluster found: creating 15/main"
  pg_createcluster 15 main >&2
  VERSION=15; CLUSTER=main
fi
if ! pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; then
  say "starting cluster $VERSION/$CLUSTER"
  pg_ctlcluster "$VERSION" "$CLUSTER" start >&2
fi
PORT=$(pg_lsclusters -h | awk -v v="$VERSION" -v c="$CLUSTER" '$1==v && $2==c {print $3}')
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q -p "$PORT" && break
  sleep 0.5
done

psql_admin() { runuser -u postgres -- psql -p "$PORT" -v ON_ERROR_STOP=1 -qAtX "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != 1 ]; then
  say "creating role $ROLE"
  psql_admin -c "CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'" >&2
fi
if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != 1 ]; then
  say "creating database $DB"
  psql_admin -c "CREATE DATABASE $DB OWNER $ROLE" >&2
fi
echo "postgres://$ROLE:$PASSWORD@127.0.0.1:$PORT/$DB"
