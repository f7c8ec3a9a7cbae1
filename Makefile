# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PORT ?= 8000

.PHONY: run test venv lint typecheck messages clean lock

$(VENV)/.installed: pyproject.toml requirements.lock
	set -euo pipefail; source scripts/lib.sh; ensure_venv

venv: $(VENV)/.installed

## make run: the app with demo data and a Celery worker on http://127.0.0.1:$(PORT)
run:
	PORT=$(PORT) PYTHON=$(PYTHON) bash scripts/run.sh

## make test: the whole suite against a throw-away PostgreSQL, Redis and headless Chromium
test:
	PYTHON=$(PYTHON) bash scripts/test.sh

## make lock: upgrade every dependency to its newest allowed version, with hashes
lock: venv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --upgrade \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu -o requirements.lock
	@echo "requirements.lock updated: run make test, then commit it."

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy .

messages: venv
	$(VENV)/bin/python manage.py makemessages -l fr -l en -l ar --no-location --no-obsolete --ignore=.venv --ignore=var --ignore="tests/*" --ignore="benchmarks/*" --ignore="*.egg-info/*"
	$(VENV)/bin/python manage.py compilemessages --ignore=.venv

clean:
	rm -rf var/celery var/test-output
