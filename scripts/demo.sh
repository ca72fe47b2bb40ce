#!/usr/bin/env bash
# `make demo`: the portal with demo data. Web (gunicorn + whitenoise), a Celery worker
# and exactly one beat run in the foreground under honcho; Ctrl-C stops them all, and
# the embedded PostgreSQL too if this script started it.
#
# Environment: DATABASE_URL (else an embedded PostgreSQL in var/pgdata), REDIS_URL
# (else redis://127.0.0.1:6379/0; without Redis, tasks run inline and no worker/beat
# start), PORT (8000), DEBUG (true). honcho is told not to read .env: that file is
# for docker compose and points at hosts named "postgres" and "redis". The web listens on
# 127.0.0.1 only (Procfile): the demo users share a published password. DEMO=true lets
# seed_demo seed a new database (it refuses a database that is not a demo one).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
export DEBUG="${DEBUG:-true}"
# A demo installation: seed_demo may seed a new, empty database (and marks it as a demo one).
export DEMO=true
export PORT="${PORT:-8000}"
# Links in the notification mails (the console mail backend prints them in the demo).
export PORTAL_URL="${PORTAL_URL:-http://127.0.0.1:${PORT}}"
# Demo data is in Chinese; give the processes a UTF-8 locale even on a bare machine.
export LANG="${LANG:-C.UTF-8}"

"$PY" scripts/preflight.py port "$PORT"

embedded_db=false
cleanup() {
    if $embedded_db; then
        "$PY" -m portal.devdb stop || true
    fi
}
trap cleanup EXIT

if [ -z "${DATABASE_URL:-}" ]; then
    echo "demo: DATABASE_URL is not set: starting the embedded PostgreSQL (data in var/pgdata)"
    embedded_db=true
    DATABASE_URL="$("$PY" -m portal.devdb url)"
    export DATABASE_URL
fi
echo "demo: database $DATABASE_URL"

processes=(web worker beat)
if "$PY" scripts/preflight.py redis; then
    # Said aloud so the settings use Redis as the shared cache too (API throttling counts
    # across the web workers); without REDIS_URL, DEBUG falls back to a per-process cache.
    export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
else
    export CELERY_TASK_ALWAYS_EAGER=true
    processes=(web)
    echo
    echo "demo: NOTICE: Redis is not reachable at ${REDIS_URL:-redis://127.0.0.1:6379/0}."
    echo "demo:         Background jobs run inline (CELERY_TASK_ALWAYS_EAGER=true);"
    echo "demo:         no Celery worker or beat is started, and /healthz reports Redis as down."
    echo
fi

# Two database roles (docs/operations.md "Database roles"): the connecting role owns the
# tables — it creates the application role, migrates and seeds (an audited bypass) — and
# web, worker and beat connect as the application role, which has no way around
# row-level security. Its password is new on every start (DATABASE_APP_PASSWORD to fix it).
export DATABASE_APP_PASSWORD="${DATABASE_APP_PASSWORD:-$("$PY" -c 'import secrets; print(secrets.token_urlsafe(18))')}"
"$PY" manage.py db_roles
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py seed_demo
DATABASE_URL="$("$PY" manage.py db_roles --print-url)"
export DATABASE_URL
echo "demo: web, worker and beat connect as $("$PY" -c 'import os, urllib.parse as u; print(u.urlsplit(os.environ["DATABASE_URL"]).username)') (row-level security)"

cat <<EOF

  The portal:  http://127.0.0.1:${PORT}/      (health: http://127.0.0.1:${PORT}/healthz)
  API docs:    http://127.0.0.1:${PORT}/api/docs/
  Running:     ${processes[*]}
  Stop:        Ctrl-C (stops every process$($embedded_db && echo " and the embedded PostgreSQL"))

EOF

# honcho runs in the background so that a TERM sent to this script alone is passed on,
# and the EXIT trap (stopping the embedded database) runs only after honcho is gone.
.venv/bin/honcho start --env /dev/null --port "$PORT" "${processes[@]}" &
honcho_pid=$!
stopping=false
trap 'stopping=true; kill -TERM "$honcho_pid" 2>/dev/null || true' INT TERM
status=0
while kill -0 "$honcho_pid" 2>/dev/null; do
    wait "$honcho_pid" && status=0 || status=$?
done
# Stopped on request (Ctrl-C reaches honcho too, which then exits 130): that is success.
# Otherwise a process died and honcho stopped the rest: pass the failure on.
if $stopping || [ "$status" -eq 130 ] || [ "$status" -eq 143 ]; then
    echo "demo: stopped"
    status=0
fi
exit "$status"
