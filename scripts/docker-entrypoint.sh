#!/bin/sh
# Container entrypoint: `serve` (the default) migrates the database first and imports IMPORT_PACK if set; `worker` gets a /healthz port so the
# image's HEALTHCHECK works for both roles; any other command (`db upgrade`, `import …`) runs as given.
# On PostgreSQL run the migrations once per release as a one-off command (`docker run … db upgrade`, under an
# advisory lock) and start the web and worker containers with SKIP_MIGRATIONS=1.
set -eu
if [ "$#" -eq 0 ]; then
  set -- serve --host 0.0.0.0 --port "${PORT:-8000}"
fi
if [ "$1" = "serve" ] && [ "${SKIP_MIGRATIONS:-0}" != "1" ]; then
  concierge db upgrade
fi
if [ "$1" = "worker" ]; then
  case " $* " in
    *" --health-port "* | *" --health-port="*) ;;
    *) set -- "$@" --health-port "${PORT:-8000}" ;;
  esac
fi
if [ "$1" = "serve" ] && [ -n "${IMPORT_PACK:-}" ]; then
  concierge import --if-missing "$IMPORT_PACK"  # a restart never undoes the owner's edits
fi
exec concierge "$@"
