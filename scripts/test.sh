#!/usr/bin/env bash
# make test: installs what the suite needs, starts a throw-away PostgreSQL cluster and Redis
# server (unless DATABASE_URL / CELERY_BROKER_URL point at running ones), runs the linters,
# the type checker, the migrations check and pytest, and stops what it started, even on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

declare -a TIMINGS=()
timed() {  # timed LABEL command...
  local label=$1; shift
  local start=$SECONDS status=0
  "$@" || status=$?
  TIMINGS+=("$(printf '%-26s %4ss  %s' "$label" $((SECONDS - start)) "$([ $status = 0 ] && echo ok || echo FAILED)")")
  return $status
}
report() {
  echo
  log "Timings"
  printf '  %s\n' "${TIMINGS[@]}"
}

WORK=$(mktemp -d /tmp/tema-test.XXXXXX)
chmod 755 "$WORK"
PG_STARTED="" ; REDIS_STARTED=""
cleanup() {
  local status=$?
  if [ -n "$REDIS_STARTED" ]; then
    kill "$(cat "$WORK/redis.pid" 2>/dev/null)" 2>/dev/null || true
  fi
  if [ -n "$PG_STARTED" ]; then
    $PG_AS "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  report
  exit $status
}
trap cleanup EXIT

free_port() { .venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)." >&2; exit 1; }
  local port; port=$(free_port)
  mkdir -p "$WORK/pg" "$WORK/pgsock"
  if [ "$(id -u)" = 0 ]; then
    # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
    chown postgres:postgres "$WORK/pg" "$WORK/pgsock"
    PG_AS="runuser -u postgres --"
  else
    PG_AS=""
  fi
  $PG_AS "$PG_BIN/initdb" -D "$WORK/pg" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
  $PG_AS "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg/server.log" -w -o \
    "-k $WORK/pgsock -p $port -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >/dev/null
  PG_STARTED=1
  "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres tema
  export DATABASE_URL="postgres://postgres@127.0.0.1:${port}/tema"
}

start_redis() {
  local port; port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$WORK/redis.pid" --dir "$WORK" --logfile "$WORK/redis.log" >/dev/null
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  REDIS_STARTED=1
  export CELERY_BROKER_URL="redis://127.0.0.1:${port}/0"
}

timed "system packages" ensure_system_packages SYSTEM_PACKAGES_RUN
timed "system packages (tests)" ensure_system_packages SYSTEM_PACKAGES_TEST
timed "python packages" ensure_venv
PY=.venv/bin/python

[ -n "${DATABASE_URL:-}" ] || timed "start PostgreSQL" start_postgres
[ -n "${CELERY_BROKER_URL:-}" ] || timed "start Redis" start_redis
export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
export TEST_OUTPUT_DIR=${TEST_OUTPUT_DIR:-$PWD/var/test-output}
log "PostgreSQL: $DATABASE_URL   broker: $CELERY_BROKER_URL"

log "ruff"
timed "ruff" bash -c ".venv/bin/ruff check . && .venv/bin/ruff format --check ."
log "mypy"
timed "mypy" .venv/bin/mypy .
log "translations"
timed "compilemessages" $PY manage.py compilemessages --ignore=.venv -v0
log "migrations"
timed "makemigrations --check" $PY manage.py makemigrations --check --dry-run -v1
log "pytest"
timed "pytest" $PY -m pytest "$@"
