"""Production settings: `check --deploy` is clean with DEBUG off, and a missing secret stops
the start with a message naming it."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest

from tests.helpers import ROOT, database_url

PRODUCTION = {
    "DEBUG": "off",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "master.tema-wtc.dz",
    "SITE_URL": "https://master.tema-wtc.dz",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.dz:587",
}


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_reports_nothing_with_debug_off():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = _manage("check", env={**PRODUCTION, "SECRET_KEY": "too-short"})
    assert result.returncode != 0
    assert "SECRET_KEY must be a random string" in result.stderr


@pytest.mark.django_db
def test_production_responses_carry_the_security_headers(tmp_path):
    env = {**PRODUCTION, "STATIC_ROOT": str(tmp_path), "DATABASE_URL": database_url()}
    collected = _manage("collectstatic", "--no-input", "-v0", env=env)
    assert collected.returncode == 0, collected.stderr
    script = (
        "from django.test import Client;"
        "r = Client().get('/', secure=True, headers={'host': 'master.tema-wtc.dz'});"
        "print(r.status_code);"
        "print(r['Strict-Transport-Security']);"
        "print(r['Content-Security-Policy'])"
    )
    result = _manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr
    status, hsts, csp = result.stdout.strip().splitlines()[-3:]
    assert status == "200"
    assert "max-age=31536000" in hsts
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp
