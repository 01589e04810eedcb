#!/bin/sh
# Container entrypoint: migrate the database, then serve (or run whatever command was given).
set -eu
if [ "$#" -eq 0 ]; then
  set -- serve --host 0.0.0.0 --port "${PORT:-8000}"
fi
if [ "${SKIP_MIGRATIONS:-0}" != "1" ]; then
  concierge db upgrade
fi
if [ -n "${IMPORT_PACK:-}" ]; then
  concierge import --if-missing "$IMPORT_PACK"  # a restart never undoes the owner's edits
fi
exec concierge "$@"
