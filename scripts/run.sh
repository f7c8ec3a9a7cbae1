#!/usr/bin/env bash
# make run: venv, install, migrate, translations, demo data, then web server + Celery worker.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

PORT=${PORT:-8000}
ensure_system_packages SYSTEM_PACKAGES_RUN
ensure_venv
PY=.venv/bin/python

log "Migrating the database"
$PY manage.py migrate --no-input -v0
log "Compiling translations"
$PY manage.py compilemessages --ignore=.venv -v0
log "Loading the demo data"
$PY manage.py seed_demo | tee var/demo-accounts.txt

pids=()
stop() {
  trap - INT TERM EXIT
  log "Stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # A worker finishes its current task on TERM; give it ten seconds, then stop it hard.
  for _ in $(seq 20); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do pkill -KILL -P "$pid" 2>/dev/null || true; kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

log "Starting the Celery worker"
.venv/bin/celery -A config worker --beat --loglevel=INFO --concurrency=2 \
  --schedule=var/celerybeat-schedule &
pids+=($!)

log "Serving http://127.0.0.1:${PORT}/  (demo accounts: see above, or var/demo-accounts.txt; Ctrl-C stops)"
$PY manage.py runserver "127.0.0.1:${PORT}" &
pids+=($!)
wait -n "${pids[@]}"
