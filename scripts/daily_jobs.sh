#!/usr/bin/env bash
# The daily jobs, for `make serve` and the compose file's scheduler (instead of cron):
# every day at DAILY_JOBS_AT (default 06:15, the server's time zone) `pathways_daily` (referral
# expiries, reminders, daily digests), `prune_report_cache` and `knowledge_review_due` (sheets
# whose review date has come); on Sundays also `anonymise_inactive` (GDPR retention,
# RETENTION_MONTHS). Nothing runs at start: a restart does not send the digests twice.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
AT=${DAILY_JOBS_AT:-06:15}

child=""
trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 0' INT TERM
# Run in the background and wait, so that a stop signal is handled at once.
run() { "$@" & child=$!; wait "$child"; local status=$?; child=""; return $status; }

while true; do
  now=$(date +%s)
  next=$(date -d "today $AT" +%s)
  [ "$next" -gt "$now" ] || next=$(date -d "tomorrow $AT" +%s)
  echo "daily jobs: next run at $(date -d "@$next" '+%F %R')" >&2
  run sleep $((next - now))
  run "$BIN/python" manage.py pathways_daily || echo "daily jobs: pathways_daily failed" >&2
  run "$BIN/python" manage.py prune_report_cache || echo "daily jobs: prune_report_cache failed" >&2
  run "$BIN/python" manage.py knowledge_review_due || echo "daily jobs: knowledge_review_due failed" >&2
  if [ "$(date +%u)" = 7 ]; then
    run "$BIN/python" manage.py anonymise_inactive || echo "daily jobs: anonymise_inactive failed" >&2
  fi
done
