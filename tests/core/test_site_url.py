"""Links in e-mails and QR codes follow the port served (#12): in development, SITE_URL
defaults to http://127.0.0.1:$PORT; a SITE_URL that is set wins."""

from __future__ import annotations

import os
import subprocess
import sys

from config.settings import default_site_url
from tests.helpers import ROOT

SCRIPT = "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"


def _site_url(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "SITE_URL", "DEBUG")}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_default_site_url_names_the_port():
    assert default_site_url("8123") == "http://127.0.0.1:8123"
    assert default_site_url("") == "http://127.0.0.1:8000"
    assert default_site_url(None) == "http://127.0.0.1:8000"


def test_the_settings_follow_port_unless_site_url_is_set():
    assert _site_url(PORT="8123") == "http://127.0.0.1:8123"
    assert _site_url() == "http://127.0.0.1:8000"
    assert _site_url(PORT="8123", SITE_URL="https://master.tema-wtc.dz/") == (
        "https://master.tema-wtc.dz"
    )
