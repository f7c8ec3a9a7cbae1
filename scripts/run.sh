#!/usr/bin/env bash
# make run: venv, install, then (supervised) the queue, migrations, translations, demo data,
# the Celery worker and the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
PY=.venv/bin/python

if [ "${1:-}" = setup ]; then
  # Run by the supervisor once the queue is up, before the worker and the web server.
  if [[ "${CELERY_BROKER_URL:-}" == redis+socket://* ]]; then
    socket=${CELERY_BROKER_URL#redis+socket://}
    for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
  fi
  log "Migrating the database"
  $PY manage.py migrate --no-input -v0
  log "Compiling translations"
  $PY manage.py compilemessages --ignore=.venv -v0
  if [ "${SIGNING_P12:-}" = "$PWD/var/signing/dev.p12" ]; then
    log "Signing certificate (development)"
    $PY manage.py signing_dev_certificate --out "$SIGNING_P12"
  fi
  log "Loading the demo data"
  $PY manage.py seed_demo | tee var/demo-accounts.txt
  exit 0
fi

# Exported: the settings build SITE_URL from it (links in e-mails and QR codes name the port
# served), unless SITE_URL is set in the environment or .env.
export PORT=${PORT:-8000}
ensure_system_packages SYSTEM_PACKAGES_RUN
ensure_venv

# The queue: a private redis-server on a unix socket under var/ (installed when it can be),
# else Celery's file-system broker, which is said out loud: it can lose tasks and stop its
# worker under concurrent use (README, "Embedded default").
mkdir -p var/run var/redis
procs=()
if [ -z "${CELERY_BROKER_URL:-}" ]; then
  if ensure_optional_package redis-server /usr/bin/redis-server; then
    socket="$PWD/var/run/redis.sock"
    export CELERY_BROKER_URL="redis+socket://${socket}"
    procs+=("redis=redis-server --port 0 --unixsocket ${socket} --unixsocketperm 700 --dir $PWD/var/redis --appendonly yes --save '' --logfile $PWD/var/redis/redis.log")
    log "Queue: a private Redis on ${socket}"
  else
    export CELERY_BROKER_URL="filesystem://"
    log "WARNING: redis-server is not installed, so the queue is Celery's file-system broker under var/celery/."
    log "WARNING: it can lose tasks and stop the worker when several requests queue work at once;"
    log "WARNING: install redis-server (apt-get install redis-server) and run make run again."
  fi
fi
# Every document is signed (README, "Signing certificate"): without a certificate of its own,
# the run signs with a self-signed development one, created by the set-up step under var/.
if [ -z "${SIGNING_P12:-}" ] && ! grep -qs '^SIGNING_P12=' .env; then
  export SIGNING_P12="$PWD/var/signing/dev.p12"
  export SIGNING_P12_PASSWORD="${SIGNING_P12_PASSWORD:-development-only}"
fi
procs+=("once:setup=bash scripts/run.sh setup")
procs+=("worker=.venv/bin/celery -A config worker --beat --loglevel=INFO --concurrency=2 --schedule=var/celerybeat-schedule")
# gunicorn rather than runserver: runserver's listen backlog of 10 reset a fifth of 50
# simultaneous requests before Django saw them. One process (the local-memory cache holding
# the rate limits is per process), eight threads, reloaded when the code changes; in DEBUG,
# WhiteNoise serves the static files from the apps' folders.
procs+=("web=.venv/bin/gunicorn config.wsgi --bind 127.0.0.1:${PORT} --workers 1 --threads 8 --reload --graceful-timeout 5 --access-logfile -")
log "Serving http://127.0.0.1:${PORT}/ with a Celery worker once the demo data is loaded (accounts: var/demo-accounts.txt; Ctrl-C stops)"
log "A process that stops is restarted and said so; the others go on."
exec "$PY" scripts/supervise.py "${procs[@]}"
