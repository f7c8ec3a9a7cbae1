# Shared by run.sh and test.sh: system packages and the virtual environment.
# shellcheck shell=bash

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# apt packages whose presence is tested by a file they install.
declare -A SYSTEM_PACKAGES_RUN=(
  [gettext]=/usr/bin/msgfmt
  [libpango-1.0-0]=/usr/share/doc/libpango-1.0-0
  [libpangoft2-1.0-0]=/usr/share/doc/libpangoft2-1.0-0
  [libharfbuzz-subset0]=/usr/share/doc/libharfbuzz-subset0
  [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
  [fonts-hosny-amiri]=/usr/share/fonts/opentype/fonts-hosny-amiri
)
declare -A SYSTEM_PACKAGES_TEST=(
  [postgresql]=/usr/lib/postgresql
  [redis-server]=/usr/bin/redis-server
  [chromium]=/usr/bin/chromium
  [poppler-utils]=/usr/bin/pdftotext
  [zbar-tools]=/usr/bin/zbarimg
  [qpdf]=/usr/bin/qpdf
)

ensure_system_packages() {
  local -n wanted=$1
  local missing=()
  for pkg in "${!wanted[@]}"; do
    [ -e "${wanted[$pkg]}" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "Installing system packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them first, for example: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
}

# ensure_optional_package PACKAGE FILE: installed if missing and we are root; 1 if absent.
ensure_optional_package() {
  [ -e "$2" ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    log "Installing $1"
    apt-get update -qq || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null || return 1
  fi
  [ -e "$2" ]
}

ensure_venv() {
  local python=${PYTHON:-python3}
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "Python 3.11 or newer is needed ($python is $("$python" --version 2>&1))." >&2
    exit 1
  fi
  if [ ! -x .venv/bin/python ]; then
    log "Creating the virtual environment (.venv)"
    "$python" -m venv .venv
  fi
  if [ ! -f .venv/.installed ] || [ requirements.lock -nt .venv/.installed ] || [ pyproject.toml -nt .venv/.installed ]; then
    log "Installing the Python packages (requirements.lock, every one pinned with its hashes)"
    .venv/bin/pip install --quiet --require-hashes --no-deps -r requirements.lock
    .venv/bin/pip install --quiet --no-deps --no-build-isolation -e .
    touch .venv/.installed
  fi
}
