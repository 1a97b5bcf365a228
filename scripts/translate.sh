#!/usr/bin/env bash
# Refresh both catalogues from the code, apply French translations from JSON files
# ({"English msgid": "French msgstr", ...}), fill English with the msgid, and compile.
# Safe to run from several shells at once (one at a time under a lock).
# Usage: bash scripts/translate.sh [translations.json ...]
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/maillage-locale.lock
flock 9
.venv/bin/python manage.py makemessages -l fr -l en --no-obsolete --no-location \
  --ignore=.venv --ignore=var --ignore=tests -v0
.venv/bin/python scripts/fill_translations.py "$@"
.venv/bin/python manage.py compilemessages --ignore=.venv -v0
